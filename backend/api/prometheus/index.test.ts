import { DEFAULT_PROM_LOOKBACK, lookbackFromEnv } from './index';

describe('VIGIL_PROM_LOOKBACK', () => {
  it('defaults to a week of chunk lookback', () => {
    expect(DEFAULT_PROM_LOOKBACK).toBe('7d');
    expect(lookbackFromEnv({})).toEqual({ kind: 'chunk', ms: 7 * 86_400_000 });
  });

  it('takes any Prometheus duration', () => {
    expect(lookbackFromEnv({ VIGIL_PROM_LOOKBACK: '36h' })).toEqual({ kind: 'chunk', ms: 36 * 3_600_000 });
    expect(lookbackFromEnv({ VIGIL_PROM_LOOKBACK: '1w2d' })).toEqual({ kind: 'chunk', ms: 9 * 86_400_000 });
  });

  it('refuses what is not a positive duration, naming the variable', () => {
    expect(() => lookbackFromEnv({ VIGIL_PROM_LOOKBACK: 'soon' })).toThrow("VIGIL_PROM_LOOKBACK: 'soon' is not a positive Prometheus duration");
    expect(() => lookbackFromEnv({ VIGIL_PROM_LOOKBACK: '0' })).toThrow('VIGIL_PROM_LOOKBACK');
  });
});
