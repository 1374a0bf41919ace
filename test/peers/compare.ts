/**
 * Row-by-row comparison of `vigil run` output with NannyML's (bench/peers/nannyml_driver.py), every field
 * of every row, to 1e-9 relative, except the portability gaps documented in docs/nannyml-differences.md
 * (and shared/specs/nannyml-algorithms.md §9), which get their own tolerance here.
 */
import { OutputRow, seriesKey } from '../run/helpers';

const EXACT_REL = 1e-9;
const EXACT_ABS = 1e-12;
const NUMERIC = ['value', 'upper_threshold', 'lower_threshold', 'sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary', 'realized', 'targets_missing_rate'] as const;
type NumericField = (typeof NUMERIC)[number];

interface Gap {
  /** fields compared with this tolerance instead of 1e-9 (others stay exact) */
  fields: NumericField[];
  rel: number;
  abs: number;
  /** the bands differ by 3 × the SE's difference: their tolerance is 3 · rel · SE (on top of exact) */
  bandsFromSe?: boolean;
  /** the bands' tolerance is rel · |value| (they are value ± 3 SE with an exact SE) */
  bandsFromValue?: boolean;
  /** tolerance of the sampling error when it differs from `rel`; the bands then get rel + 3 · seRel · SE */
  seRel?: number;
  /** docs/nannyml-differences.md section */
  why: string;
}

/**
 * The documented gaps: LightGBM-based values (Vigil's own GBDT, not LightGBM's binary), the unseeded AP
 * bootstrap. A row under a gap may also differ in `alert` when its value lies within the gap of a threshold.
 */
/** What the tolerances depend on besides the row. */
export interface SetInfo {
  multiclass: boolean;
  referenceRows: number;
}

/**
 * The AUROC sampling error's tolerance: it walks the reference scores in numpy's unstable argsort order,
 * so tied scores fall in another order than Vigil's (stable). Measured: < 0.5 % on 1,000+ reference rows;
 * 5 % on a 76-row reference with 3-decimal scores (7 ties in one class).
 */
const aurocSeRel = (set: SetInfo) => (set.referenceRows >= 1000 ? 0.005 : 0.1);

function gapOf(r: OutputRow, set: SetInfo): Gap | null {
  if (r.calculator === 'DomainClassifierCalculator') {
    // ±0.02 on chunks of 500+ rows; a small chunk's AUROC moves in coarse steps (a 7-row chunk: 1/7 of
    // the pairs per row), so the band widens as 0.5/√rows
    const rows = r.chunk.end_index - r.chunk.start_index + 1;
    return { fields: ['value'], rel: 0, abs: Math.max(0.02, 0.5 / Math.sqrt(rows)), why: 'LightGBM domain classifier' };
  }
  if (r.calculator === 'DLE') {
    // 3 % on chunks of 100+ rows; a chunk's estimate is the mean of its rows' predicted losses, so the
    // models' row-level differences average out less on small chunks (7.8 % seen on 11 rows): 0.3/√rows.
    // The bands move with the value: the tolerance is of the value, not of the (smaller) band.
    const rows = r.chunk.end_index - r.chunk.start_index + 1;
    return { fields: ['value', 'upper_confidence_boundary', 'lower_confidence_boundary'], rel: Math.max(0.03, 0.3 / Math.sqrt(rows)), abs: 1e-9, bandsFromValue: true, why: 'LightGBM loss model (DLE)' };
  }
  if (r.calculator === 'UnivariateDriftCalculator' && (r.metric === 'jensen_shannon' || r.metric === 'hellinger')) {
    // both are square roots: where the distributions are equal, the value is √(rounding residue) ≈ 1e-8,
    // and a different summation order gives another residue (3.0e-9 vs 3.9e-9 seen)
    return { fields: ['value', 'upper_threshold', 'lower_threshold'], rel: EXACT_REL, abs: 1e-7, why: 'JS/Hellinger of equal distributions (√ rounding)' };
  }
  if (r.calculator === 'CBPE' && r.metric === 'roc_auc' && set.multiclass) {
    // spec §9.2: calibrated values within a tie of the uncalibrated class score differ after
    // renormalising, so the order inside ties matters (1e-4 on large chunks; up to 1.2e-4 seen on an
    // 8-row chunk, hence 1e-3); plus the SE's tie order (below)
    return { fields: ['value', 'sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary'], rel: 1e-3, abs: 1e-12, why: 'multiclass CBPE AUROC (tie order)', seRel: aurocSeRel(set) };
  }
  if ((r.calculator === 'CBPE' || r.calculator === 'PerformanceCalculator') && r.metric === 'roc_auc') {
    // the Mann-Whitney SE walks the scores in numpy's unstable argsort order: ties fall differently
    return { fields: ['sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary'], rel: aurocSeRel(set), abs: 1e-12, bandsFromSe: true, why: 'AUROC sampling error (tie order)' };
  }
  if ((r.calculator === 'CBPE' || r.calculator === 'PerformanceCalculator') && r.metric === 'average_precision') {
    return { fields: ['sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary'], rel: 1, abs: 1, why: 'AP bootstrap (unseeded upstream)' };
  }
  return null;
}

function close(a: number | null, b: number | null, rel: number, abs: number): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= Math.max(abs, rel * Math.abs(b));
}

/** The value is within the gap of one of its thresholds, so the two tools may fall on either side. */
function nearThreshold(v: OutputRow, n: OutputRow, gap: Gap): boolean {
  if (v.value === null || n.value === null) return false;
  const width = Math.max(gap.abs, gap.rel * Math.abs(n.value)) + Math.abs(v.value - n.value);
  return [n.upper_threshold, n.lower_threshold].some((t) => t !== null && Math.abs(n.value! - t) <= width);
}

export interface Difference {
  key: string;
  field: string;
  vigil: unknown;
  nannyml: unknown;
}

export interface Comparison {
  rows: number;
  values: number;
  /** rows compared under a documented tolerance, by gap */
  gapped: Record<string, number>;
  differences: Difference[];
}

/** Fields not compared on a row (a documented NannyML bug on that row), with the reason; null: all compared. */
export type RowQuirk = (vigil: OutputRow, nannyml: OutputRow) => { fields: string[]; why: string } | null;

export function compareRows(vigil: OutputRow[], nannyml: OutputRow[], set: SetInfo, quirk: RowQuirk = () => null): Comparison {
  const out: Comparison = { rows: 0, values: 0, gapped: {}, differences: [] };
  const theirs = new Map(nannyml.map((r) => [seriesKey(r), r]));
  const seen = new Set<string>();
  for (const v of vigil) {
    const key = seriesKey(v);
    const n = theirs.get(key);
    if (!n) {
      out.differences.push({ key, field: 'row', vigil: 'present', nannyml: 'absent' });
      continue;
    }
    seen.add(key);
    out.rows++;
    const gap = gapOf(v, set);
    if (gap) out.gapped[gap.why] = (out.gapped[gap.why] ?? 0) + 1;
    const q = quirk(v, n);
    if (q) out.gapped[q.why] = (out.gapped[q.why] ?? 0) + 1;
    const differ = (field: string, a: unknown, b: unknown) => {
      if (!q || !q.fields.includes(field)) out.differences.push({ key, field, vigil: a, nannyml: b });
    };
    if (v.calculator !== n.calculator) differ('calculator', v.calculator, n.calculator);
    for (const k of ['index', 'start_index', 'end_index', 'start_date', 'end_date'] as const) {
      if (v.chunk[k] !== n.chunk[k]) differ(`chunk.${k}`, v.chunk[k], n.chunk[k]);
    }
    for (const f of NUMERIC) {
      out.values++;
      let rel = EXACT_REL;
      let abs = EXACT_ABS;
      if (gap && gap.fields.includes(f)) {
        const band = f === 'upper_confidence_boundary' || f === 'lower_confidence_boundary';
        if (f === 'sampling_error' && gap.seRel !== undefined) rel = gap.seRel;
        else if (band && gap.bandsFromSe) rel = EXACT_REL;
        else rel = gap.rel;
        abs = gap.abs + (band && (gap.bandsFromSe || gap.seRel !== undefined) ? 3 * (gap.seRel ?? gap.rel) * Math.abs(n.sampling_error ?? 0) : 0);
        if (band && gap.bandsFromValue) abs += gap.rel * Math.abs(n.value ?? 0);
      }
      if (!close(v[f], n[f], rel, abs)) differ(f, v[f], n[f]);
    }
    out.values++;
    if (v.alert !== n.alert && !(gap && gap.fields.includes('value') && nearThreshold(v, n, gap))) differ('alert', v.alert, n.alert);
  }
  for (const n of nannyml) if (!seen.has(seriesKey(n))) out.differences.push({ key: seriesKey(n), field: 'row', vigil: 'absent', nannyml: 'present' });
  return out;
}

/** A few lines per (calculator id, metric, field) so one systematic difference does not hide the others. */
export function describe(diffs: Difference[], perKind = 3): string[] {
  const counts = new Map<string, number>();
  const lines: string[] = [];
  for (const d of diffs) {
    const [id, , metric] = d.key.split(' | ');
    const kind = `${id} ${metric} ${d.field}`;
    const c = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, c);
    if (c <= perKind) lines.push(`${d.key}: ${d.field} vigil ${JSON.stringify(d.vigil)}, nannyml ${JSON.stringify(d.nannyml)}`);
  }
  for (const [kind, c] of counts) if (c > perKind) lines.push(`${kind}: ${c - perKind} more`);
  return lines;
}
