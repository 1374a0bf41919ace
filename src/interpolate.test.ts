import { TestTemplateSrv } from '../test/plugin/support/templateSrv';
import { createInterpolator } from './interpolate';

const templateSrv = new TestTemplateSrv([
  { name: 'model', current: 'demo' },
  { name: 'column', current: ['car_value', 'salary_range'], options: ['car_value', 'salary_range', 'debt_to_income_ratio'] },
  { name: 'allcols', current: '$__all', options: ['a', 'b', 'c'] },
  { name: 'customall', current: ['$__all'], options: ['a', 'b'], allValue: '.*' },
  { name: 'metric', current: 'jensen_shannon' },
]);

describe('createInterpolator', () => {
  const interpolator = createInterpolator(templateSrv);

  it('replaces a single-value variable in text, in each syntax', () => {
    expect(interpolator.text('$model')).toBe('demo');
    expect(interpolator.text('${model}')).toBe('demo');
    expect(interpolator.text('[[model]]')).toBe('demo');
    expect(interpolator.text('plain')).toBe('plain');
  });

  it('leaves unknown variables alone', () => {
    expect(interpolator.text('$nope')).toBe('$nope');
    expect(interpolator.list(['$nope'])).toEqual(['$nope']);
  });

  it('expands a multi-value variable into its values, next to literal entries, without duplicates', () => {
    expect(interpolator.list(['$column'])).toEqual(['car_value', 'salary_range']);
    expect(interpolator.list(['debt_to_income_ratio', '$column', 'car_value'])).toEqual(['debt_to_income_ratio', 'car_value', 'salary_range']);
  });

  it('expands All without a custom all-value into every option', () => {
    expect(interpolator.list(['$allcols'])).toEqual(['a', 'b', 'c']);
  });

  it('turns All with a custom all-value into "all" (an empty list)', () => {
    expect(interpolator.list(['x', '${customall}'])).toEqual([]);
  });

  it('prefers scoped variables (repeated panels) to the dashboard’s', () => {
    const scoped = createInterpolator(templateSrv, { column: { text: 'age', value: 'age' } });
    expect(scoped.list(['$column'])).toEqual(['age']);
    expect(scoped.text('$model')).toBe('demo');
  });

  it('gives the first value when a multi-value variable is used where one value fits', () => {
    expect(interpolator.text('$column')).toBe('car_value');
  });
});
