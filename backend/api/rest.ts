/**
 * REST routes: models, reference, ingest, targets, scoring, results, series, alerts, catalog. Routers
 * only validate, call the service and shape the response.
 */
import { Request, Response, Router } from 'express';
import { z } from 'zod';
import { FAMILIES, familyById, familyOfCalculator, METRICS, RESULT_FIELDS } from '../engine/catalog';
import { badRequest } from '../service/errors';
import { alertsOf, resultRows, seriesOf } from '../service/read';
import { ModelRuntime } from '../service/runtime';
import { VigilService } from '../service/service';
import { AuthConfig, requireAccess } from './auth';
import { jsonBody, listParam, modelParam, parseQuery, parseTime, rowsBody } from './http';
import { VERSION } from './version';

const listValue = z.union([z.string(), z.array(z.string())]).optional();
const timeValue = z.string().optional();

export const resultsQuerySchema = z
  .object({
    calculator: z.string().min(1).optional(),
    metric: listValue,
    column: listValue,
    period: z.enum(['reference', 'analysis', 'both']).optional(),
    from: timeValue,
    to: timeValue,
  })
  .strict();

export const seriesQuerySchema = z.object({ family: z.string().min(1).optional() }).strict();
export const alertsQuerySchema = z.object({ family: z.string().min(1).optional(), from: timeValue, to: timeValue }).strict();

function familyParam(v: string | undefined, where: string): string | null {
  if (v === undefined) return null;
  if (!familyById(v)) throw badRequest('unknown_family', `unknown family '${v}' (expected one of: ${FAMILIES.map((f) => f.id).join(', ')})`, where);
  return v;
}

type ColumnKindName = 'continuous' | 'categorical';

/** The model's columns with their role and kind (null before the reference fixes undeclared kinds). */
function columnList(rt: ModelRuntime) {
  const specs = rt.specs();
  const c = rt.def.columns;
  const kindOf = (name: string): ColumnKindName | null => {
    const s = specs.get(name);
    if (s) return s.kind === 'numeric' ? 'continuous' : 'categorical';
    if (c.categorical.includes(name)) return 'categorical';
    if (c.continuous.includes(name)) return 'continuous';
    return null;
  };
  const out: { name: string; kind: ColumnKindName | null; role: string }[] = c.features.map((name) => ({ name, kind: kindOf(name), role: 'feature' }));
  if (c.timestamp) out.push({ name: c.timestamp, kind: 'continuous', role: 'timestamp' });
  if (c.id) out.push({ name: c.id, kind: 'categorical', role: 'id' });
  if (c.y_pred) out.push({ name: c.y_pred, kind: kindOf(c.y_pred), role: 'y_pred' });
  const proba = c.y_pred_proba;
  for (const name of typeof proba === 'string' ? [proba] : proba ? Object.values(proba) : []) out.push({ name, kind: 'continuous', role: 'y_pred_proba' });
  if (c.y_true) out.push({ name: c.y_true, kind: kindOf(c.y_true), role: 'y_true' });
  return out;
}

export async function modelView(service: VigilService, rt: ModelRuntime) {
  const name = rt.record.name;
  const counts = await service.chunkCounts(name);
  const status = service.status(name);
  const familyOf = (className: string) => familyOfCalculator(className)?.id ?? null;
  const calculators = rt.layout
    ? rt.layout.calculators.map((c) => ({ class: c.className, id: c.id, family: familyOf(c.className), params: c.params }))
    : (rt.def.calculators ?? []).map((e) => ({ class: e.class, id: e.id ?? e.class, family: familyOf(e.class), params: e.params ?? {} }));
  const fitError = status?.fitError ?? null;
  const errors = await errorView(service, rt);
  return {
    name,
    problem_type: rt.def.problem_type,
    columns: columnList(rt),
    // segmented models only (docs/segments.md): the segments a query's `segment` can name
    ...(rt.def.segments ? { segments: service.segmentsOf(name) } : {}),
    definition: rt.def,
    chunking: rt.layout?.chunker ?? null,
    calculators,
    skipped_calculators: (rt.layout?.skipped ?? []).map((s) => ({ class: s.className, reason: s.reason })),
    reference_rows: rt.record.referenceRows,
    analysis_rows: rt.record.analysisRows,
    targets: rt.record.targets,
    status: {
      state: fitError ? 'error' : rt.layout ? 'ready' : 'awaiting_reference',
      fit_error: fitError,
      chunks: counts.total,
      pending_chunks: counts.pending,
      // ingest answers 429 while pending_chunks is above this (VIGIL_MAX_BACKLOG; null: no bound)
      max_pending_chunks: service.maxBacklogChunks > 0 ? service.maxBacklogChunks : null,
      // the estimated seconds to compute every model's waiting chunks (all models, not this one's alone);
      // ingest answers 429 while it is above max_lag_s (VIGIL_MAX_LAG; null: no bound)
      lag_estimate_s: roundedSeconds(service.lagEstimate()),
      max_lag_s: service.maxLagSeconds > 0 ? service.maxLagSeconds : null,
      chunks_computed: status?.chunksComputed ?? 0,
      last_recompute_ms: status?.lastRecomputeMs ?? null,
      last_recompute_at: status?.lastRecomputeAt ?? null,
      ...errors,
    },
  };
}

const roundedSeconds = (s: number) => Math.round(s * 1000) / 1000;

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The model's stored errors (they survive restarts): `errors` the unresolved ones, `error_history` the
 * last 100 resolved or not (newest first), `errors_total` and `errors_by_where` every error ever recorded
 * (the values of vigil_errors_total{model,where}). Resolution rule: docs/server.md.
 */
async function errorView(service: VigilService, rt: ModelRuntime) {
  const [history, summary] = await Promise.all([service.store.listErrors(rt.record.id), service.store.errorSummary(rt.record.id)]);
  const view = history.map((e) => ({
    time: new Date(e.time).toISOString(),
    where: e.stage,
    calculator: e.calculator,
    chunk: e.chunkKey,
    message: e.message,
    resolved_at: isoOrNull(e.resolvedAt),
  }));
  return {
    errors: view.filter((e) => e.resolved_at === null).map(({ resolved_at: _r, ...e }) => e),
    errors_total: Object.values(summary.totals).reduce((a, b) => a + b, 0),
    errors_by_where: summary.totals,
    error_history: view,
  };
}

export interface RestOptions {
  auth: AuthConfig;
  maxBodyBytes: number;
}

/** A rows body as rowsBody read it (decoded bytes). */
const body = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

export function restRouter(service: VigilService, opts: RestOptions): Router {
  const router = Router();
  const read = requireAccess('read', opts.auth);
  const write = requireAccess('write', opts.auth);
  const rows = rowsBody(opts.maxBodyBytes);

  router.get('/catalog', read, (_req, res) => {
    res.json({ families: FAMILIES, metrics: METRICS, fields: RESULT_FIELDS, version: VERSION });
  });

  router.post('/models', write, jsonBody, async (req: Request, res: Response) => {
    const rt = await service.registerModel(req.body);
    res.status(201).json(await modelView(service, rt));
  });

  router.get('/models', read, (_req, res) => {
    res.json({ models: service.listModels() });
  });

  router.get('/models/:name', read, async (req, res) => {
    res.json(await modelView(service, service.model(modelParam(req))));
  });

  router.delete('/models/:name', write, async (req, res) => {
    const name = modelParam(req);
    await service.deleteModel(name);
    res.json({ deleted: name });
  });

  router.put('/models/:name/reference', write, rows, async (req, res) => {
    const name = modelParam(req);
    res.json(await service.putReference(name, body(req), req.headers['content-type']));
  });

  router.post('/models/:name/rows', write, rows, async (req, res) => {
    const name = modelParam(req);
    res.json(await service.ingestRows(name, body(req), req.headers['content-type']));
  });

  router.post('/models/:name/targets', write, rows, async (req, res) => {
    const name = modelParam(req);
    res.json(await service.attachTargets(name, body(req), req.headers['content-type']));
  });

  router.post('/models/:name/score', write, rows, async (req, res) => {
    const name = modelParam(req);
    res.json(await service.score(name, body(req), req.headers['content-type']));
  });

  router.get('/models/:name/results', read, async (req, res) => {
    const name = modelParam(req);
    const q = parseQuery(resultsQuerySchema, req);
    service.model(name);
    const results = await resultRows(service, name, {
      calculator: q.calculator ?? null,
      metric: listParam(q.metric),
      column: listParam(q.column),
      period: q.period ?? 'both',
      from: parseTime(q.from, 'query.from'),
      to: parseTime(q.to, 'query.to'),
    });
    res.json({ results });
  });

  router.get('/models/:name/series', read, async (req, res) => {
    const name = modelParam(req);
    const q = parseQuery(seriesQuerySchema, req);
    res.json({ series: await seriesOf(service, name, familyParam(q.family, 'query.family')) });
  });

  router.get('/models/:name/alerts', read, async (req, res) => {
    const name = modelParam(req);
    const q = parseQuery(alertsQuerySchema, req);
    const alerts = await alertsOf(service, name, {
      family: familyParam(q.family, 'query.family'),
      from: parseTime(q.from, 'query.from'),
      to: parseTime(q.to, 'query.to'),
    });
    res.json({ alerts });
  });

  return router;
}
