import { calculatorDefinition, calculatorNames } from './registry';

describe('calculator registry', () => {
  it('loads each class on lookup, under its own class name, once', () => {
    expect(calculatorNames().length).toBeGreaterThanOrEqual(16);
    for (const name of calculatorNames()) {
      const def = calculatorDefinition(name);
      expect(def?.className).toBe(name);
      expect(calculatorDefinition(name)).toBe(def);
    }
  });

  it('knows nothing else (not even Object.prototype names)', () => {
    expect(calculatorDefinition('NoSuchCalculator')).toBeUndefined();
    expect(calculatorDefinition('toString')).toBeUndefined();
  });
});
