/**
 * Prometheus's JSON encoding of query results (web/api/v1/api.go + util/jsonutil):
 *  - a sample is `[<unix seconds>, "<value>"]`: the time a JSON number with at most 3 decimals
 *    (written from integer ms, so no float noise), the value a string of the shortest round-trip digits,
 *    in exponent form only below 1e-6 and from 1e21 (Go's strconv 'f'/'e' choice in Prometheus's
 *    marshalPointJSON), with `NaN`, `+Inf`, `-Inf` for the special values;
 *  - every series carries its full label set under `metric`.
 * Results are written as strings directly: large matrices are the common case for Grafana panels.
 */
import { InstantValue, MatrixSeries, Sample } from './evaluator';
import { Labels, sortedNames } from './labels';

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  // JavaScript switches to exponent form at the same bounds as Prometheus (|v| < 1e-6 or ≥ 1e21) and
  // prints the same shortest digits; Go writes at least two exponent digits (`1e-07`).
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Unix seconds from ms, as Prometheus writes them: integer part, then `.` and 3 digits if not whole. */
export function formatTimestamp(ms: number): string {
  const t = Math.round(ms);
  const sign = t < 0 ? '-' : '';
  const abs = Math.abs(t);
  const secs = Math.floor(abs / 1000);
  const frac = abs % 1000;
  return frac === 0 ? `${sign}${secs}` : `${sign}${secs}.${String(frac).padStart(3, '0')}`;
}

export function labelsJson(l: Labels): string {
  return `{${sortedNames(l)
    .map((n) => `${JSON.stringify(n)}:${JSON.stringify(l[n])}`)
    .join(',')}}`;
}

const point = (ms: number, v: number) => `[${formatTimestamp(ms)},"${formatValue(v)}"]`;

function vectorJson(samples: Sample[], time: number): string {
  return `[${samples.map((s) => `{"metric":${labelsJson(s.labels)},"value":${point(time, s.value)}}`).join(',')}]`;
}

export function matrixJson(series: MatrixSeries[]): string {
  return `[${series
    .map((s) => `{"metric":${labelsJson(s.labels)},"values":[${s.timestamps.map((t, i) => point(t, s.values[i])).join(',')}]}`)
    .join(',')}]`;
}

/** The `data` object of an instant query's answer. */
export function instantDataJson(v: InstantValue, time: number): string {
  switch (v.kind) {
    case 'scalar':
      return `{"resultType":"scalar","result":${point(time, v.value)}}`;
    case 'string':
      return `{"resultType":"string","result":[${formatTimestamp(time)},${JSON.stringify(v.value)}]}`;
    case 'vector':
      return `{"resultType":"vector","result":${vectorJson(v.samples, time)}}`;
    case 'matrix':
      return `{"resultType":"matrix","result":${matrixJson(v.series)}}`;
  }
}

export function successJson(dataJson: string): string {
  return `{"status":"success","data":${dataJson}}`;
}
