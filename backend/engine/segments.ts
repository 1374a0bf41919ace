/**
 * Segments: every calculator run per value of one or more segment columns, as a layer above the
 * calculators (docs/segments.md).
 *
 * - The segments are the top K values (of the column, or of the tuple of columns) by reference row count,
 *   ties broken by value (code-point order), then `__other__` for every remaining row of both datasets,
 *   when the reference has such rows.
 * - Each segment's reference and analysis rows are taken out of the frames in file order, so a segment's
 *   results equal those of a run on the filtered files: a calculator is fitted per segment.
 * - A missing segment value is the value `__missing__`; several columns join their values with ` | `.
 */
import { DataError, ResultRow } from './calculator';
import { ChunkingError } from './chunking';
import { asCategorical, CategoricalColumn, Column, Frame, makeFrame, MISSING_CODE, takeRows } from './frame';
import { CalculatorConfig, prepareCalculator, runPrepared, SortedFrames } from './run';
import { MISSING_SEGMENT, OTHER_SEGMENT, rankSegments, SegmentSpec } from './segment-spec';

export * from './segment-spec';


/** Each row's segment value (the joined column values) as a code into `values`. */
export function segmentValues(frame: Frame, by: readonly string[], dataset: string): { codes: Int32Array; values: string[] } {
  const columns = by.map((name) => {
    const c = frame.columns.get(name);
    if (!c) throw new DataError(dataset, `column '${name}' not found (segment_by)`);
    return asCategorical(c);
  });
  const values: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(frame.length);
  const label = (c: CategoricalColumn, row: number) => (c.codes[row] === MISSING_CODE ? MISSING_SEGMENT : c.levels[c.codes[row]]);
  for (let row = 0; row < frame.length; row++) {
    const value = columns.length === 1 ? label(columns[0], row) : columns.map((c) => label(c, row)).join(' | ');
    let code = index.get(value);
    if (code === undefined) {
      code = values.length;
      values.push(value);
      index.set(value, code);
    }
    codes[row] = code;
  }
  return { codes, values };
}

/** The segment names in output order: the top K reference values by row count, then `__other__` if any rows remain. */
export function planSegments(reference: Frame, spec: SegmentSpec): string[] {
  const { codes, values } = segmentValues(reference, spec.by, 'reference');
  const counts = new Map<string, number>(values.map((v) => [v, 0]));
  for (let i = 0; i < codes.length; i++) counts.set(values[codes[i]], counts.get(values[codes[i]])! + 1);
  return rankSegments(counts, spec.topK);
}

/** `frame`'s rows of each planned segment, in file order (a value outside the plan counts as `__other__`). */
export function splitBySegment(frame: Frame, spec: SegmentSpec, plan: readonly string[], dataset: string): Map<string, Frame> {
  const { codes, values } = segmentValues(frame, spec.by, dataset);
  const hasOther = plan.includes(OTHER_SEGMENT);
  const slot = values.map((v) => {
    const i = plan.indexOf(v);
    return i >= 0 && v !== OTHER_SEGMENT ? i : hasOther ? plan.length - 1 : -1;
  });
  const rows: number[][] = plan.map(() => []);
  for (let r = 0; r < codes.length; r++) {
    const s = slot[codes[r]];
    if (s >= 0) rows[s].push(r);
  }
  return new Map(plan.map((name, i) => [name, compactLevels(takeRows(frame, rows[i]))]));
}

/**
 * Drops the categorical levels the rows do not use and keeps the others in first-seen order, as reading
 * the filtered file would: a level seen only in other segments must not become a category of this one.
 */
function compactLevels(frame: Frame): Frame {
  const cols: Column[] = frame.names.map((name) => {
    const c = frame.columns.get(name)!;
    if (c.kind === 'numeric') return c;
    const remap = new Int32Array(c.levels.length).fill(-1);
    const levels: string[] = [];
    const codes = new Int32Array(c.codes.length);
    for (let i = 0; i < codes.length; i++) {
      const code = c.codes[i];
      if (code === MISSING_CODE) {
        codes[i] = MISSING_CODE;
        continue;
      }
      if (remap[code] < 0) {
        remap[code] = levels.length;
        levels.push(c.levels[code]);
      }
      codes[i] = remap[code];
    }
    return { ...c, codes, levels };
  });
  return makeFrame(cols, frame.length);
}

/** A row of a segmented run: the segment (null: the whole data) right after the calculator id. */
export function withSegment(row: ResultRow, segment: string | null): ResultRow {
  const { calculator, id, ...rest } = row;
  return { calculator, id, segment, ...rest };
}

/**
 * Runs the calculators on the whole frames (segment null), then per segment. A segment a calculator cannot
 * run on (no analysis rows, fewer rows than chunks, one class only...) is skipped for that calculator with
 * one warning naming segment, calculator and cause; errors on the whole data are the run's errors.
 */
export function runSegmented(reference: Frame, analysis: Frame, configs: CalculatorConfig[], spec: SegmentSpec, warn: (line: string) => void): ResultRow[] {
  const prepared = configs.map(prepareCalculator);
  const out: ResultRow[] = [];
  // Split first: a missing segment column fails the run before any calculator runs.
  const plan = planSegments(reference, spec);
  const references = splitBySegment(reference, spec, plan, 'reference');
  const analyses = splitBySegment(analysis, spec, plan, 'analysis');
  const whole = new SortedFrames(reference, analysis);
  for (const p of prepared) for (const r of runPrepared(p, whole)) out.push(withSegment(r, null));
  for (const segment of plan) {
    const sorted = new SortedFrames(references.get(segment)!, analyses.get(segment)!);
    for (const p of prepared) {
      let rows: ResultRow[];
      try {
        rows = runPrepared(p, sorted);
      } catch (e) {
        if (!(e instanceof DataError || e instanceof ChunkingError)) throw e;
        warn(`segment '${segment}': ${p.config.className} '${p.config.id}' skipped: ${e instanceof DataError ? `${e.dataset}: ` : ''}${e.message}`);
        continue;
      }
      for (const r of rows) out.push(withSegment(r, segment));
    }
  }
  return out;
}
