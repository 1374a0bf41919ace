/**
 * Checks that Vigil and the Python baseline computed the same numbers (run-contract rows keyed by
 * calculator id, column, metric, period and chunk index). A benchmark of different results would be
 * meaningless, so the run prints a warning line for every scenario with mismatches.
 */
import * as fs from 'fs';

interface Row {
  id: string;
  column: string | null;
  metric: string;
  period: string;
  chunk: { index: number };
  [field: string]: unknown;
}

export interface Comparison {
  compared_rows: number;
  compared_values: number;
  mismatches: number;
  only_in_vigil: number;
  only_in_baseline: number;
  examples: string[];
}

const FIELDS = ['value', 'upper_threshold', 'lower_threshold', 'alert', 'sampling_error', 'realized', 'targets_missing_rate'];
const RELATIVE_TOLERANCE = 1e-6;
const ABSOLUTE_TOLERANCE = 1e-9;
/** Spec §9.1: the AUROC sampling error depends on an unstable argsort's tie order. */
const AUROC_SE_TOLERANCE = 5e-3;
const MAX_EXAMPLES = 20;

function keyOf(r: Row): string {
  return `${r.id}|${r.column ?? ''}|${r.metric}|${r.period}|${r.chunk.index}`;
}

function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= ABSOLUTE_TOLERANCE + rel * Math.max(Math.abs(a), Math.abs(b));
}

/** Fields not comparable for a metric (spec §9: unseeded bootstrap; calibration split decision). */
function skipped(metric: string, field: string): boolean {
  return metric === 'average_precision' && field === 'sampling_error';
}

export function compareResults(vigilFile: string, baselineFile: string): Comparison {
  const vigil: Row[] = JSON.parse(fs.readFileSync(vigilFile, 'utf8')).results;
  const baseline: Row[] = JSON.parse(fs.readFileSync(baselineFile, 'utf8')).results;
  const byKey = new Map<string, Row>();
  for (const r of baseline) byKey.set(keyOf(r), r);
  const baselineIds = new Set(baseline.map((r) => r.id));
  const out: Comparison = { compared_rows: 0, compared_values: 0, mismatches: 0, only_in_vigil: 0, only_in_baseline: 0, examples: [] };
  const seen = new Set<string>();
  for (const v of vigil) {
    if (!baselineIds.has(v.id)) continue; // a calculator without a baseline (e.g. outliers)
    const key = keyOf(v);
    const b = byKey.get(key);
    if (!b) {
      out.only_in_vigil++;
      if (out.examples.length < MAX_EXAMPLES) out.examples.push(`${key}: only in Vigil's output`);
      continue;
    }
    seen.add(key);
    out.compared_rows++;
    for (const f of FIELDS) {
      if (skipped(v.metric, f)) continue;
      const a = v[f] as number | boolean | null | undefined;
      const c = b[f] as number | boolean | null | undefined;
      out.compared_values++;
      let same: boolean;
      if (typeof a === 'number' && typeof c === 'number') {
        same = close(a, c, v.metric === 'roc_auc' && f === 'sampling_error' ? AUROC_SE_TOLERANCE : RELATIVE_TOLERANCE);
      } else {
        same = (a ?? null) === (c ?? null);
      }
      if (!same) {
        out.mismatches++;
        if (out.examples.length < MAX_EXAMPLES) out.examples.push(`${key} ${f}: vigil ${a} vs baseline ${c}`);
      }
    }
  }
  const vigilIds = new Set(vigil.map((r) => r.id));
  for (const [key, b] of byKey) {
    if (!seen.has(key) && vigilIds.has(b.id)) {
      out.only_in_baseline++;
      if (out.examples.length < MAX_EXAMPLES) out.examples.push(`${key}: only in the baseline's output`);
    }
  }
  return out;
}
