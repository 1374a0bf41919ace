/**
 * Model definitions: the body of `POST /api/models`, validated with zod at the edge and then checked
 * for meaning (column roles distinct, chunking consistent, calculators valid with the model's columns).
 */
import { z } from 'zod';
import { PERIOD_ALIASES } from '../engine/chunking';
import { FAMILIES, PROBLEM_TYPES, ProblemType } from '../engine/catalog';
import { DEFAULT_SEGMENT_TOP_K, MAX_SEGMENT_TOP_K } from '../engine/segment-spec';
import { badRequest } from './errors';

/** Names safe in URLs and Prometheus label values. */
export const MODEL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_COLUMN_NAME = 256;

const columnName = z
  .string()
  .min(1, 'must be a non-empty column name')
  .max(MAX_COLUMN_NAME, `must be at most ${MAX_COLUMN_NAME} characters`)
  .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character');

export const CHUNKING_KEYS = ['chunk_size', 'chunk_number', 'chunk_period', 'incomplete'] as const;

export const chunkingSchema = z
  .object({
    chunk_size: z.number().int().min(1).optional(),
    chunk_number: z.number().int().min(1).optional(),
    chunk_period: z.enum(PERIOD_ALIASES).optional(),
    incomplete: z.enum(['keep', 'append', 'drop']).optional(),
  })
  .strict();

/** Alerting options of a model (backend/service/open-chunks.ts). */
export const alertingSchema = z
  .object({
    open_chunks_min_rows: z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .nullable()
      .describe('Alert on an open (still filling) chunk once it holds at least this many rows. Default (absent or null): an open chunk never alerts; the last closed chunk decides.')
      .optional(),
  })
  .strict();

/** Retention of raw analysis rows; results are kept (backend/service/retention.ts). */
export const retentionSchema = z
  .object({
    rows_max_age: z
      .string()
      .regex(/^[1-9]\d{0,5}(s|m|h|d|w)$/, "must be a duration such as '90d', '36h' or '2w' (units s, m, h, d, w)")
      .nullable()
      .describe("Rows of a chunk that ended longer ago than this (by the server's clock) are deleted; the chunk's results stay.")
      .optional(),
    rows_max: z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .nullable()
      .describe("The oldest chunks' rows are deleted while the model keeps more rows than this; their results stay.")
      .optional(),
  })
  .strict();

/** What /metrics exports of the model (api/metrics-export.ts); the Prometheus API serves everything. */
export const metricsEndpointSchema = z
  .object({
    per_column: z
      .enum(['all', 'alerts', 'none'])
      .describe("Per-column series on /metrics: 'all' fields, their 'alerts' only, or 'none'. Default: VIGIL_METRICS_PER_COLUMN (all).")
      .optional(),
    families: z
      .array(z.enum(FAMILIES.map((f) => f.id) as [string, ...string[]]))
      .describe('The families exported on /metrics for this model (default: every family).')
      .optional(),
  })
  .strict();

export const calculatorEntrySchema = z
  .object({
    class: z.string().min(1),
    id: z.string().min(1).max(128).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const modelDefinitionSchema = z
  .object({
    name: z.string().regex(MODEL_NAME_RE, 'must be 1-64 letters, digits, _ . - (starting with a letter or digit)'),
    problem_type: z.enum(PROBLEM_TYPES as [ProblemType, ...ProblemType[]]).nullable().optional(),
    columns: z
      .object({
        features: z.array(columnName).min(1, 'must list at least one feature'),
        categorical: z.array(columnName).optional(),
        continuous: z.array(columnName).optional(),
        timestamp: columnName.nullable().optional(),
        id: columnName.nullable().optional(),
        y_pred: columnName.nullable().optional(),
        y_pred_proba: z.union([columnName, z.record(z.string().min(1), columnName)]).nullable().optional(),
        y_true: columnName.nullable().optional(),
      })
      .strict(),
    chunking: chunkingSchema.optional(),
    calculators: z.array(calculatorEntrySchema).optional(),
    segment_by: z
      .union([columnName, z.array(columnName).min(1, 'must list at least one column')])
      .describe('Run every calculator per value of this feature column (or list of columns) too: docs/segments.md.')
      .optional(),
    segment_top_k: z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_SEGMENT_TOP_K, `must be at most ${MAX_SEGMENT_TOP_K}`).optional(),
    alerting: alertingSchema.describe('Alerting options (docs/prometheus.md "Open chunks").').optional(),
    retention: retentionSchema.describe('Retention of raw analysis rows (docs/server.md "Retention").').optional(),
    metrics_endpoint: metricsEndpointSchema.describe('What /metrics exports of this model (docs/prometheus.md "/metrics").').optional(),
  })
  .strict();

export type ModelDefinitionInput = z.infer<typeof modelDefinitionSchema>;
export type Chunking = z.infer<typeof chunkingSchema>;
export type CalculatorEntry = z.infer<typeof calculatorEntrySchema>;

/** A definition after validation, with every optional part made explicit. */
export interface ModelDefinition {
  name: string;
  problem_type: ProblemType | null;
  columns: {
    features: string[];
    categorical: string[];
    continuous: string[];
    timestamp: string | null;
    id: string | null;
    y_pred: string | null;
    y_pred_proba: string | Record<string, string> | null;
    y_true: string | null;
  };
  chunking: Chunking;
  /** null: the default set (every applicable calculator registered in the engine). */
  calculators: CalculatorEntry[] | null;
  /** Only when given (models stored before it existed have none): the defaults of open-chunks.ts. */
  alerting?: { open_chunks_min_rows: number | null };
  /** Only when given: retention of raw analysis rows (retention.ts). */
  retention?: { rows_max_age: string | null; rows_max: number | null };
  /** Only when given: what /metrics exports of the model (api/metrics-export.ts). */
  metrics_endpoint?: { per_column?: 'all' | 'alerts' | 'none'; families?: string[] };
  /** Only when segment_by is given: the segments of the model (service/segment-models.ts). */
  segments?: { by: string[]; top_k: number };
  /** Only on a segment's own model, which the service makes (never in a request body). */
  segment_of?: { model: string; segment: string };
}

/** zod issue path → `columns.features[2]` */
export function formatPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(body)';
}

/** First zod issue as an ApiError (400 `code`). */
export function zodError(code: string, error: z.ZodError, root = ''): Error {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    return badRequest(code, message, formatPath([...issue.path, issue.keys[0]], root));
  }
  return badRequest(code, issue.message, formatPath(issue.path, root));
}

export function parseModelDefinition(body: unknown): ModelDefinition {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalid_model', 'the model definition must be a JSON object', '(body)');
  }
  const parsed = modelDefinitionSchema.safeParse(body);
  if (!parsed.success) throw zodError('invalid_model', parsed.error);
  const d = parsed.data;
  const def: ModelDefinition = {
    name: d.name,
    problem_type: d.problem_type ?? null,
    columns: {
      features: d.columns.features,
      categorical: d.columns.categorical ?? [],
      continuous: d.columns.continuous ?? [],
      timestamp: d.columns.timestamp ?? null,
      id: d.columns.id ?? null,
      y_pred: d.columns.y_pred ?? null,
      y_pred_proba: d.columns.y_pred_proba ?? null,
      y_true: d.columns.y_true ?? null,
    },
    chunking: d.chunking ?? {},
    calculators: d.calculators ?? null,
  };
  if (d.alerting) def.alerting = { open_chunks_min_rows: d.alerting.open_chunks_min_rows ?? null };
  if (d.metrics_endpoint) def.metrics_endpoint = d.metrics_endpoint;
  if (d.retention) def.retention = { rows_max_age: d.retention.rows_max_age ?? null, rows_max: d.retention.rows_max ?? null };
  if (d.segment_by !== undefined) def.segments = { by: typeof d.segment_by === 'string' ? [d.segment_by] : d.segment_by, top_k: d.segment_top_k ?? DEFAULT_SEGMENT_TOP_K };
  else if (d.segment_top_k !== undefined) fail('segment_top_k needs segment_by', 'segment_top_k');
  checkColumns(def);
  checkSegments(def);
  checkRetention(def);
  checkChunking(def);
  return def;
}

const fail = (message: string, where: string): never => {
  throw badRequest('invalid_model', message, where);
};

function checkColumns(def: ModelDefinition): void {
  const c = def.columns;
  const seen = new Map<string, string>();
  const claim = (name: string, where: string) => {
    const prior = seen.get(name);
    if (prior) fail(`column '${name}' is already used as ${prior}`, where);
    seen.set(name, where);
  };
  c.features.forEach((f, i) => claim(f, `columns.features[${i}]`));
  for (const role of ['timestamp', 'id', 'y_pred', 'y_true'] as const) {
    const v = c[role];
    if (v) claim(v, `columns.${role}`);
  }
  if (typeof c.y_pred_proba === 'string') claim(c.y_pred_proba, 'columns.y_pred_proba');
  else if (c.y_pred_proba) for (const [cls, col] of Object.entries(c.y_pred_proba)) claim(col, `columns.y_pred_proba.${cls}`);
  const features = new Set(c.features);
  for (const list of ['categorical', 'continuous'] as const) {
    c[list].forEach((name, i) => {
      if (!features.has(name)) fail(`'${name}' is not one of the features`, `columns.${list}[${i}]`);
    });
  }
  c.categorical.forEach((name, i) => {
    if (c.continuous.includes(name)) fail(`'${name}' is listed both as categorical and continuous`, `columns.categorical[${i}]`);
  });
  if (def.problem_type === 'classification_multiclass' && typeof c.y_pred_proba === 'string') {
    fail('a multiclass model maps each class to its probability column: {"class": "column", ...}', 'columns.y_pred_proba');
  }
  if (def.problem_type && def.problem_type !== 'classification_multiclass' && c.y_pred_proba && typeof c.y_pred_proba !== 'string') {
    fail(`a ${def.problem_type} model has one probability column`, 'columns.y_pred_proba');
  }
}

/** Segment columns are features: every rows body carries them, so each row can be routed to its segment. */
function checkSegments(def: ModelDefinition): void {
  const by = def.segments?.by ?? [];
  by.forEach((name, i) => {
    const where = by.length > 1 ? `segment_by[${i}]` : 'segment_by';
    if (!def.columns.features.includes(name)) fail(`'${name}' is not one of the features (columns.features)`, where);
    if (by.indexOf(name) !== i) fail(`'${name}' is listed twice`, where);
  });
}

function checkChunking(def: ModelDefinition): void {
  const k = def.chunking;
  const given = (['chunk_size', 'chunk_number', 'chunk_period'] as const).filter((key) => k[key] !== undefined);
  if (given.length > 1) fail(`give one of chunk_size, chunk_number, chunk_period (got ${given.join(', ')})`, `chunking.${given[1]}`);
  if (k.chunk_period && !def.columns.timestamp) fail('chunk_period needs a timestamp column (columns.timestamp)', 'chunking.chunk_period');
}

function checkRetention(def: ModelDefinition): void {
  const r = def.retention;
  if (!r) return;
  if (r.rows_max_age !== null && !def.columns.timestamp) fail('rows_max_age needs a timestamp column (columns.timestamp); use rows_max', 'retention.rows_max_age');
  if (r.rows_max_age === null && r.rows_max === null) fail('give rows_max_age or rows_max (or leave retention out)', 'retention');
}

/** Every column the model reads, in payload order: features, then y_pred, then probability columns. */
export function payloadColumns(def: ModelDefinition): { name: string; role: 'feature' | 'y_pred' | 'y_pred_proba' }[] {
  const out: { name: string; role: 'feature' | 'y_pred' | 'y_pred_proba' }[] = def.columns.features.map((name) => ({ name, role: 'feature' as const }));
  if (def.columns.y_pred) out.push({ name: def.columns.y_pred, role: 'y_pred' });
  const p = def.columns.y_pred_proba;
  if (typeof p === 'string') out.push({ name: p, role: 'y_pred_proba' });
  else if (p) for (const col of Object.values(p)) out.push({ name: col, role: 'y_pred_proba' });
  return out;
}
