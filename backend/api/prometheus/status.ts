/**
 * `/api/v1/status/flags` and `/api/v1/status/config`, shaped as Prometheus 2.42 answers them (a map of
 * flag name → string value; `{"yaml": "..."}`), for the Prometheus UI, promtool-style clients and users
 * checking what a data source is connected to. Vigil has no command-line flags of Prometheus's: it
 * reports the flags whose meaning it shares, under Prometheus's names, with its own values (from
 * VIGIL_PROM_LOOKBACK, VIGIL_QUERY_TIMEOUT, VIGIL_QUERY_MAX_SAMPLES), and a configuration that scrapes
 * nothing and evaluates no rules, which is what Vigil does.
 */
import type { Lookback } from './evaluator';
import type { QueryLimits } from './limits';

const UNITS: [string, number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Prometheus's model.Duration String(): largest units first, e.g. 604800000 → "1w", 5400000 → "1h30m". */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export function statusFlags(lookback: Lookback, limits: QueryLimits): Record<string, string> {
  return {
    // Vigil's lookback is per chunk (how long a chunk's value stays current after the chunk ends);
    // a 'window' lookback is Prometheus's own rule.
    'query.lookback-delta': formatPromDuration(lookback.ms),
    'query.max-samples': String(limits.maxSamples),
    'query.timeout': formatPromDuration(limits.timeoutMs),
  };
}

export const STATUS_CONFIG_YAML = [
  '# Vigil serves its results store through a Prometheus-compatible API: it scrapes no target and',
  '# evaluates no rule (alert rules run in Grafana or in a Prometheus scraping /metrics). Query settings:',
  '# /api/v1/status/flags.',
  'global: {}',
  '',
].join('\n');
