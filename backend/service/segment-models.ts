/**
 * Segments on the server (docs/segments.md): each segment of a model registered with `segment_by` is a
 * model of its own, named `<model>~<segment, URI-encoded>` (`~` is not allowed in model names, so no
 * user model can take the name). It has the model's definition without `segment_by`, is fitted on the
 * segment's reference rows and gets the segment's analysis rows and every targets body, so it chunks,
 * stores and recomputes incrementally like any model, and its results equal `vigil run` with
 * `segment_by` (engine/segments.ts) for that segment. Results carry the segment and Prometheus series a
 * `segment` label, with `model` the segmented model's name (api/prometheus/series.ts).
 */
import { asCategorical, MISSING_CODE, takeRows } from '../engine/frame';
import { MISSING_SEGMENT, OTHER_SEGMENT, rankSegments } from '../engine/segment-spec';
import type { ParsedRows, SourceColumn } from './body';
import type { ModelDefinition } from './definition';
import { badRequest } from './errors';
import { segmentModelName, segmentOfModelName } from './segment-names';

export { segmentModelName, segmentOfModelName } from './segment-names';

/** The definition of a segment's model: the model's, without segments, under the segment's name. */
export function segmentDefinition(def: ModelDefinition, segment: string): ModelDefinition {
  const { segments: _s, ...rest } = def;
  return { ...rest, name: segmentModelName(def.name, segment), segment_of: { model: def.name, segment } };
}

/** A row's segment value, as `vigil run` names it: a level as read, `__missing__`, columns joined by ` | `. */
export function rowSegments(parsed: ParsedRows, by: readonly string[]): string[] {
  const columns = by.map((name) => parsed.columns.get(name));
  const valueOf = (c: SourceColumn | undefined): ((row: number) => string) => {
    if (!c) return () => MISSING_SEGMENT;
    if (c.type === 'json') {
      return (row) => {
        const v = c.values[row];
        return v === null || v === undefined || v === '' ? MISSING_SEGMENT : String(v);
      };
    }
    const cat = asCategorical(c.column);
    return (row) => (cat.codes[row] === MISSING_CODE ? MISSING_SEGMENT : cat.levels[cat.codes[row]]);
  };
  const readers = columns.map(valueOf);
  const out = new Array<string>(parsed.n);
  for (let row = 0; row < parsed.n; row++) out[row] = readers.length === 1 ? readers[0](row) : readers.map((r) => r(row)).join(' | ');
  return out;
}

/** The top K segment values by row count (ties by value), then `__other__` when more values remain. */
export function planSegmentsOfRows(segments: readonly string[], topK: number): string[] {
  const counts = new Map<string, number>();
  for (const s of segments) counts.set(s, (counts.get(s) ?? 0) + 1);
  return rankSegments(counts, topK);
}

/** The rows of each planned segment (a value outside the plan goes to `__other__` when planned), in body order. */
export function splitParsed(parsed: ParsedRows, segments: readonly string[], plan: readonly string[]): Map<string, ParsedRows> {
  const slots = new Map(plan.filter((s) => s !== OTHER_SEGMENT).map((s, i) => [s, i]));
  const other = plan.indexOf(OTHER_SEGMENT);
  const rows: number[][] = plan.map(() => []);
  for (let r = 0; r < parsed.n; r++) {
    const slot = slots.get(segments[r]) ?? other;
    if (slot >= 0) rows[slot].push(r);
  }
  const out = new Map<string, ParsedRows>();
  plan.forEach((segment, i) => {
    if (rows[i].length > 0) out.set(segment, takeParsed(parsed, rows[i]));
  });
  return out;
}

function takeParsed(parsed: ParsedRows, rows: number[]): ParsedRows {
  const columns = new Map<string, SourceColumn>();
  for (const [name, c] of parsed.columns) {
    if (c.type === 'json') columns.set(name, { type: 'json', name, values: rows.map((r) => c.values[r]) });
    else columns.set(name, { type: 'frame', name, column: takeRows({ length: parsed.n, columns: new Map([[name, c.column]]), names: [name] }, rows).columns.get(name)! });
  }
  return { format: parsed.format, n: rows.length, names: parsed.names, columns, rowWhere: (i) => parsed.rowWhere(rows[i]) };
}

/**
 * The model a query with `segment` reads: the segment's own model. A model without segment_by, or a
 * segment not among its segments, is a 400 naming `where` and the segments there are.
 */
export function segmentQueryModel(models: readonly string[], model: string, segment: string, where: string): string {
  const name = segmentModelName(model, segment);
  if (models.includes(name)) return name;
  const known = models.map(segmentOfModelName).filter((s) => s?.model === model).map((s) => s!.segment);
  throw badRequest('unknown_segment', known.length === 0 ? `model '${model}' has no segments (segment_by)` : `model '${model}' has no segment '${segment}' (it has: ${known.join(', ')})`, where);
}
