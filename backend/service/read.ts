/**
 * The read paths (docs/query-api.md): run-contract rows, series listings, alert annotations and the
 * plugin's data frames. All read the one results table; nothing is computed here.
 */
import { segmentOfModelName } from './segment-names';
import { FamilyId, familyById, metricDef, RESULT_FIELDS, ResultField } from '../engine/catalog';
import { orderBySeries } from '../engine/run';
import { formatIsoMs } from '../engine/timestamps';
import { Period, ResultFilter, ResultRecord, SeriesKey } from '../store/types';
import { downsampleIndices, PanelSize } from './downsample';
import { badRequest } from './errors';
import { effectiveAlert, isOpen, openChunkPolicy } from './open-chunks';
import { ModelRuntime } from './runtime';
import { VigilService } from './service';

export const DEFAULT_FIELDS: ResultField[] = ['value', 'upper_threshold', 'lower_threshold', 'alert'];

/** Whether an analysis chunk is still open (filling): open-chunks.ts. */
const isPartial = (rt: ModelRuntime, r: ResultRecord, now: number) => isOpen(openChunkPolicy(rt.def), r, now);
/** The alert every read path reports: false on an open chunk unless the model opted in (open-chunks.ts). */
const alertOf = (rt: ModelRuntime, r: ResultRecord, now: number) => effectiveAlert(openChunkPolicy(rt.def), r, now);
/** A result field as the frames carry it (the alert as alertOf reports it). */
const fieldOf = (rt: ModelRuntime, r: ResultRecord, f: ResultField, now: number) => (f === 'alert' ? alertOf(rt, r, now) : r[f]);

export interface ResultsQuery {
  calculator?: string | null;
  metric?: string[] | null;
  column?: string[] | null;
  period?: Period | 'both';
  from?: number | null;
  to?: number | null;
}

async function records(service: VigilService, rt: ModelRuntime, f: Omit<ResultFilter, 'modelId'>): Promise<ResultRecord[]> {
  return service.store.queryResults({ ...f, modelId: rt.record.id });
}

const periodRank = (r: ResultRecord) => (r.period === 'reference' ? 0 : 1);

/**
 * Stored results in `vigil run`'s order: calculators in their configured order, each one's rows put in
 * chunk order (reference chunks, then analysis, each chunk's rows as the calculator returned them) and
 * then grouped per series by the engine's own orderBySeries, so the two cannot drift apart.
 */
export function inRunOrder(rows: readonly ResultRecord[]): ResultRecord[] {
  const inChunkOrder = [...rows].sort(
    (a, b) => a.calcOrder - b.calcOrder || periodRank(a) - periodRank(b) || a.chunk.index - b.chunk.index || a.seriesOrder - b.seriesOrder,
  );
  const out: ResultRecord[] = [];
  for (let start = 0, end = 0; start < inChunkOrder.length; start = end) {
    while (end < inChunkOrder.length && inChunkOrder[end].calcOrder === inChunkOrder[start].calcOrder) end++;
    // not push(...): a calculator of a long-running model has more rows than spread arguments allow
    for (const r of orderBySeries(inChunkOrder.slice(start, end))) out.push(r);
  }
  return out;
}

/** GET /api/models/{name}/results: rows exactly as `vigil run` writes them, in its order, plus `partial`. */
export async function resultRows(service: VigilService, name: string, q: ResultsQuery) {
  const rt = service.model(name);
  let rows = await records(service, rt, { metrics: q.metric, columns: q.column, period: q.period ?? 'both', from: q.from, to: q.to });
  if (q.calculator) {
    const c = q.calculator;
    rows = rows.filter((r) => r.id === c || r.calculator === c);
  }
  const now = service.now();
  return inRunOrder(rows).map((r) => ({
    calculator: r.calculator,
    id: r.id,
    period: r.period,
    chunk: { ...r.chunk, start_date: formatIsoMs(r.chunk.start_date), end_date: formatIsoMs(r.chunk.end_date) },
    column: r.column,
    metric: r.metric,
    value: r.value,
    upper_threshold: r.upper_threshold,
    lower_threshold: r.lower_threshold,
    alert: alertOf(rt, r, now),
    sampling_error: r.sampling_error,
    upper_confidence_boundary: r.upper_confidence_boundary,
    lower_confidence_boundary: r.lower_confidence_boundary,
    realized: r.realized,
    targets_missing_rate: r.targets_missing_rate,
    partial: isPartial(rt, r, now),
  }));
}

export async function seriesOf(service: VigilService, name: string, family: string | null): Promise<SeriesKey[]> {
  const rt = service.model(name);
  return service.store.listSeries(rt.record.id, family);
}

const fmt = (v: number | null) => (v === null ? 'null' : Number(v.toPrecision(4)).toString());

function alertText(r: ResultRecord): string {
  const what = r.column ? `${r.metric} on ${r.column}` : r.metric;
  const v = r.value;
  if (v !== null && r.upper_threshold !== null && v >= r.upper_threshold) return `${what} = ${fmt(v)} > upper threshold ${fmt(r.upper_threshold)}`;
  if (v !== null && r.lower_threshold !== null && v <= r.lower_threshold) return `${what} = ${fmt(v)} < lower threshold ${fmt(r.lower_threshold)}`;
  if (r.upper_threshold === null && r.lower_threshold === null) return `${what} = ${fmt(v)} (alert)`;
  return `${what} = ${fmt(v)} outside [${fmt(r.lower_threshold)}, ${fmt(r.upper_threshold)}]`;
}

/** GET /api/models/{name}/alerts: one entry per alerting analysis chunk. */
export async function alertsOf(service: VigilService, name: string, q: { family?: string | null; from?: number | null; to?: number | null }) {
  const rt = service.model(name);
  const rows = await records(service, rt, { family: q.family, period: 'analysis', from: q.from, to: q.to, alertsOnly: true });
  const now = service.now();
  return rows
    .filter((r) => alertOf(rt, r, now) === true)
    .map((r) => ({ r, open: isPartial(rt, r, now) }))
    .map(({ r, open }) => ({
      time: r.chunk.start_date,
      time_end: r.chunk.end_date,
      family: r.family,
      calculator_id: r.id,
      metric: r.metric,
      column: r.column,
      value: r.value,
      upper_threshold: r.upper_threshold,
      lower_threshold: r.lower_threshold,
      chunk: r.chunk.key,
      period: r.period,
      partial: open,
      // Only a model that opted in alerts on an open chunk: say that the chunk is still filling.
      text: alertText(r) + (open ? ` (open chunk, ${r.chunk.end_index - r.chunk.start_index + 1} rows so far)` : ''),
    }))
    .sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}

// ---------------------------------------------------------------------------------------------------
// POST /api/query

export interface DataQuery {
  refId: string;
  model: string;
  /** null: every family (GET /api/query without `family`). */
  family: string | null;
  metrics: string[];
  columns: string[];
  fields: ResultField[];
  period: Period | 'both';
  format: 'time_series' | 'table';
  calculatorId: string | null;
  hide: boolean;
  /** The panel's maxDataPoints / intervalMs: time series are downsampled to it (downsample.ts). */
  panel?: PanelSize;
}

type FieldType = 'time' | 'number' | 'boolean' | 'string';
interface FieldJSON {
  name: string;
  type: FieldType;
  values: unknown[];
  labels?: Record<string, string>;
  config?: Record<string, unknown>;
}
interface FrameJSON {
  name?: string;
  refId: string;
  meta?: Record<string, unknown>;
  fields: FieldJSON[];
}

const fieldType = (f: ResultField): FieldType => (f === 'alert' ? 'boolean' : 'number');

/** Checks names against the catalog and the model; `where` is `queries[i]`. */
export function checkQuery(service: VigilService, q: DataQuery, where: string): ModelRuntime {
  let rt: ModelRuntime;
  try {
    rt = service.model(q.model);
  } catch {
    throw badRequest('unknown_model', `model '${q.model}' not found`, `${where}.model`);
  }
  if (q.family !== null && !familyById(q.family)) throw badRequest('unknown_family', `unknown family '${q.family}'`, `${where}.family`);
  q.metrics.forEach((m, j) => {
    if (q.family !== null && !metricDef(q.family as FamilyId, m)) {
      throw badRequest('unknown_metric', `family '${q.family}' has no metric '${m}'`, `${where}.metrics[${j}]`);
    }
  });
  const known = new Set([...(rt.layout?.payload ?? []).map((c) => c.name), ...(rt.layout?.target ? [rt.layout.target.name] : []), ...rt.def.columns.features]);
  q.columns.forEach((c, j) => {
    if (!known.has(c)) throw badRequest('unknown_column', `model '${q.model}' has no column '${c}'`, `${where}.columns[${j}]`);
  });
  q.fields.forEach((f, j) => {
    if (!RESULT_FIELDS.includes(f)) throw badRequest('unknown_field', `unknown field '${f}' (expected: ${RESULT_FIELDS.join(', ')})`, `${where}.fields[${j}]`);
  });
  return rt;
}

export async function runQuery(service: VigilService, q: DataQuery, range: { from: number | null; to: number | null }, where: string): Promise<FrameJSON[]> {
  const rt = checkQuery(service, q, where);
  if (q.hide) return [];
  let rows = await records(service, rt, {
    family: q.family,
    calculatorId: q.calculatorId,
    metrics: q.metrics,
    columns: q.columns,
    period: q.period,
    from: range.from,
    to: range.to,
  });
  const now = service.now();
  const fields = q.fields.length > 0 ? q.fields : DEFAULT_FIELDS;
  if (q.format === 'table') return [tableFrame(rt, q, rows, fields, now)];
  // One frame per series, points in time order.
  const bySeries = new Map<string, ResultRecord[]>();
  for (const r of rows) {
    const key = `${r.id}\u0000${r.metric}\u0000${r.column ?? ''}`;
    let list = bySeries.get(key);
    if (!list) bySeries.set(key, (list = []));
    list.push(r);
  }
  const calculatorIds = new Set(rows.map((r) => r.id));
  rows = [];
  const frames: FrameJSON[] = [];
  for (const list of bySeries.values()) {
    list.sort((a, b) => (a.chunk.start_date ?? 0) - (b.chunk.start_date ?? 0) || (a.period === b.period ? 0 : a.period === 'reference' ? -1 : 1));
    const points = q.panel ? downsampled(rt, list, q.panel, now) : list;
    const frame = seriesFrame(rt, q, points, fields, calculatorIds.size > 1, now);
    if (points.length < list.length) {
      frame.meta = {
        ...frame.meta,
        custom: { ...(frame.meta?.custom as object), chunks: list.length, downsampled: true },
        notices: [{ severity: 'info', text: `${points.length} of ${list.length} chunks drawn (maxDataPoints); every alerting chunk is kept` }],
      };
    }
    frames.push(frame);
  }
  return frames;
}

/** The chunks of one series a panel draws (downsample.ts: alerting chunks are never dropped). */
function downsampled(rt: ModelRuntime, list: ResultRecord[], panel: PanelSize, now: number): ResultRecord[] {
  const keep = downsampleIndices(
    list.map((r) => ({ time: r.chunk.start_date, value: r.value, upper: r.upper_threshold, lower: r.lower_threshold, alerting: alertOf(rt, r, now) === true })),
    panel,
  );
  return keep.length === list.length ? list : keep.map((i) => list[i]);
}

function seriesFrame(rt: ModelRuntime, q: DataQuery, list: ResultRecord[], fields: ResultField[], labelCalculator: boolean, now: number): FrameJSON {
  const first = list[0];
  const name = first.column ? `${first.metric} ${first.column}` : first.metric;
  // A segment's own model (segment-models.ts) is labelled as Prometheus labels it: model and segment.
  const segment = q.model.includes('~') ? segmentOfModelName(q.model) : null;
  const labels: Record<string, string> = segment ? { model: segment.model, segment: segment.segment, metric: first.metric } : { model: q.model, metric: first.metric };
  if (first.column) labels.column = first.column;
  if (labelCalculator) labels.calculator_id = first.id;
  const unit = metricDef(first.family as FamilyId, first.metric)?.unit ?? 'none';
  const out: FieldJSON[] = [
    { name: 'time', type: 'time', values: list.map((r) => r.chunk.start_date) },
    { name: 'time_end', type: 'time', values: list.map((r) => r.chunk.end_date) },
  ];
  for (const f of fields) {
    const field: FieldJSON = { name: f, type: fieldType(f), values: list.map((r) => fieldOf(rt, r, f, now)) };
    if (f === 'value') {
      field.labels = labels;
      field.config = { unit, displayName: name };
    } else if (f !== 'alert') field.config = { unit };
    out.push(field);
  }
  out.push({ name: 'chunk', type: 'string', values: list.map((r) => r.chunk.key) });
  out.push({ name: 'period', type: 'string', values: list.map((r) => r.period) });
  out.push({ name: 'partial', type: 'boolean', values: list.map((r) => isPartial(rt, r, now)) });
  return {
    name,
    refId: q.refId,
    meta: { custom: { model: q.model, family: first.family, calculator_id: first.id, calculator: first.calculator, metric: first.metric, column: first.column } },
    fields: out,
  };
}

function tableFrame(rt: ModelRuntime, q: DataQuery, rows: ResultRecord[], fields: ResultField[], now: number): FrameJSON {
  const sorted = [...rows].sort((a, b) => (a.chunk.start_date ?? 0) - (b.chunk.start_date ?? 0) || a.calcOrder - b.calcOrder || a.seriesOrder - b.seriesOrder);
  const col = (name: string, type: FieldType, f: (r: ResultRecord) => unknown): FieldJSON => ({ name, type, values: sorted.map(f) });
  return {
    name: q.refId,
    refId: q.refId,
    meta: { custom: { model: q.model, family: q.family } },
    fields: [
      col('time', 'time', (r) => r.chunk.start_date),
      col('time_end', 'time', (r) => r.chunk.end_date),
      col('period', 'string', (r) => r.period),
      col('chunk', 'string', (r) => r.chunk.key),
      col('calculator_id', 'string', (r) => r.id),
      col('metric', 'string', (r) => r.metric),
      col('column', 'string', (r) => r.column),
      ...fields.map((f) => col(f, fieldType(f), (r) => fieldOf(rt, r, f, now))),
      col('partial', 'boolean', (r) => isPartial(rt, r, now)),
    ],
  };
}
