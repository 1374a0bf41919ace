import { DEFAULT_PROM_LOOKBACK, lookbackFromEnv } from './index';
import { queryLimitsFromEnv } from './limits';

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

describe('VIGIL_QUERY_TIMEOUT and VIGIL_QUERY_MAX_SAMPLES', () => {
  it("default to Prometheus's 2m query timeout and 2,000,000 samples", () => {
    expect(queryLimitsFromEnv({})).toEqual({ timeoutMs: 120_000, maxSamples: 2_000_000 });
  });

  it('read a Prometheus duration or seconds, and a positive integer', () => {
    expect(queryLimitsFromEnv({ VIGIL_QUERY_TIMEOUT: '30s', VIGIL_QUERY_MAX_SAMPLES: '5000' })).toEqual({ timeoutMs: 30_000, maxSamples: 5000 });
    expect(queryLimitsFromEnv({ VIGIL_QUERY_TIMEOUT: '1.5' }).timeoutMs).toBe(1500);
  });

  it('refuse anything else, naming the variable', () => {
    expect(() => queryLimitsFromEnv({ VIGIL_QUERY_TIMEOUT: 'soon' })).toThrow("VIGIL_QUERY_TIMEOUT: 'soon' is not a positive Prometheus duration");
    expect(() => queryLimitsFromEnv({ VIGIL_QUERY_TIMEOUT: '0' })).toThrow('VIGIL_QUERY_TIMEOUT');
    expect(() => queryLimitsFromEnv({ VIGIL_QUERY_MAX_SAMPLES: '1e3x' })).toThrow("VIGIL_QUERY_MAX_SAMPLES: '1e3x' is not a positive integer");
  });
});
