/**
 * The OpenAPI 3.1 document served at /api/openapi.json. Request-body schemas are generated from the same
 * zod schemas that validate the requests, so the document cannot drift from the checks.
 */
import { z } from 'zod';
import { FAMILIES, RESULT_FIELDS } from '../engine/catalog';
import { modelDefinitionSchema } from '../service/definition';
import { queryRequestSchema } from './query';
import { VERSION } from './version';

function schemaOf(s: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(s, { unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'where'],
      properties: {
        code: { type: 'string', examples: ['unknown_model', 'malformed_body', 'invalid_timestamp', 'unauthorized'] },
        message: { type: 'string' },
        where: { type: ['string', 'null'], examples: ['path.model', 'body[3], column \'timestamp\'', 'columns.features[0]'] },
      },
    },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c], content: json(ref('Error')) }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (the message names what and where)',
  401: 'Missing or wrong API key',
  403: 'The key may only read',
  404: 'Unknown model',
  409: 'Conflict (model exists, or no reference yet)',
  413: 'Body over the size limit',
  415: 'Unsupported Content-Type',
  429: 'Back-pressure: the model has more chunks waiting to be recomputed than VIGIL_MAX_BACKLOG (code backlog), or the estimated time to compute every model\'s waiting chunks is above VIGIL_MAX_LAG (code lag); nothing was stored; retry after the Retry-After header (seconds)',
  501: 'Not available in this build',
};

const rowsContent = {
  'application/json': { schema: { type: 'array', items: { type: 'object', additionalProperties: true } } },
  'application/x-ndjson': { schema: { type: 'string', description: 'one JSON object per line' } },
  'text/csv': { schema: { type: 'string', description: 'header line, then rows (pandas read_csv semantics)' } },
};

const modelParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } };
const q = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const timeParam = (name: string) => q(name, 'epoch ms or ISO 8601; a chunk is returned when [start_date, end_date] overlaps [from, to]');
const familyParam = q('family', 'metric family (catalog)', { type: 'string', enum: FAMILIES.map((f) => f.id) });
const ok = (description: string, schema: unknown = { type: 'object' }) => ({ '200': { description, content: json(schema) } });

export function openApiDocument(): Record<string, unknown> {
  const read = [{ bearer: [] }];
  // Same scheme; write routes need the write key (summaries say so).
  const write = read;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil',
      version: VERSION,
      description:
        'ML model monitoring: models, ingestion, NannyML-exact monitoring results per chunk, and the read API of the Grafana plugin (docs/query-api.md). Errors are {"error": {"code", "message", "where"}}.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'VIGIL_READ_KEY for read routes, VIGIL_WRITE_KEY for ingest and admin (also grants read). No key configured: open, loopback only.',
        },
      },
      schemas: {
        Error: errorSchema,
        ModelDefinition: schemaOf(modelDefinitionSchema),
        QueryRequest: schemaOf(queryRequestSchema),
        GrafanaNotification: {
          type: 'object',
          description: "Grafana's webhook notification; Vigil checks only that `alerts` is an array of objects and keeps the rest as sent.",
          required: ['alerts'],
          additionalProperties: true,
          properties: {
            receiver: { type: 'string' },
            status: { enum: ['firing', 'resolved'] },
            alerts: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: true,
                properties: {
                  status: { enum: ['firing', 'resolved'] },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  annotations: { type: 'object', additionalProperties: { type: 'string' } },
                  startsAt: { type: 'string', format: 'date-time' },
                  endsAt: { type: 'string', format: 'date-time' },
                  fingerprint: { type: 'string' },
                },
              },
            },
            groupKey: { type: 'string' },
            groupLabels: { type: 'object' },
            commonLabels: { type: 'object' },
            commonAnnotations: { type: 'object' },
          },
        },
        ResultRow: {
          type: 'object',
          description: 'A row as `vigil run` writes it (run contract), plus `partial` for a chunk still filling.',
          properties: {
            calculator: { type: 'string' },
            id: { type: 'string' },
            period: { enum: ['reference', 'analysis'] },
            chunk: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                index: { type: 'integer' },
                start_index: { type: 'integer' },
                end_index: { type: 'integer' },
                start_date: { type: ['string', 'null'], format: 'date-time' },
                end_date: { type: ['string', 'null'], format: 'date-time' },
              },
            },
            column: { type: ['string', 'null'] },
            metric: { type: 'string' },
            ...Object.fromEntries(RESULT_FIELDS.map((f) => [f, { type: f === 'alert' ? ['boolean', 'null'] : ['number', 'null'] }])),
            targets_missing_rate: { type: ['number', 'null'] },
            partial: { type: 'boolean' },
          },
        },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', responses: ok('alive') } },
      '/readyz': { get: { summary: 'Readiness (every stored model loaded; fits load on first use)', responses: { ...ok('ready'), '503': { description: 'starting or shutting down' } } } },
      '/api/health': { get: { summary: 'Health for the plugin (read key)', security: read, responses: { ...ok('ok'), ...errors(401) } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: ok('OpenAPI 3.1') } },
      '/api/catalog': { get: { summary: 'Every family, metric and result field', security: read, responses: { ...ok('catalog'), ...errors(401) } } },
      '/api/models': {
        get: { summary: 'Models with row counts', security: read, responses: { ...ok('models'), ...errors(401) } },
        post: {
          summary: 'Register a model (calculators default to every applicable one) (write key)',
          security: write,
          requestBody: { required: true, content: json(ref('ModelDefinition')) },
          responses: { '201': { description: 'registered', content: json({ type: 'object' }) }, ...errors(400, 401, 403, 409, 413) },
        },
      },
      '/api/models/{name}': {
        parameters: [modelParam],
        get: { summary: 'Definition, columns, calculators, counts and recompute status (status.pending_chunks: chunks waiting to be recomputed, the backlog; status.max_pending_chunks: the bound above which ingest answers 429, null without one; status.lag_estimate_s: estimated seconds to compute every model\'s waiting chunks, status.max_lag_s: its bound (VIGIL_MAX_LAG), null without one; status.errors: unresolved stored fit/recompute errors; error_history: the last 100; errors_total, errors_by_where)', security: read, responses: { ...ok('model'), ...errors(401, 404) } },
        delete: { summary: 'Delete a model and all its data (write key)', security: write, responses: { ...ok('deleted'), ...errors(401, 403, 404) } },
      },
      '/api/models/{name}/reference': {
        parameters: [modelParam],
        put: {
          summary: 'Upload (replace) the reference: fixes column types, fits every calculator (write key)',
          security: write,
          requestBody: { required: true, content: rowsContent },
          responses: { ...ok('fitted'), ...errors(400, 401, 403, 404, 413, 415) },
        },
      },
      '/api/models/{name}/rows': {
        parameters: [modelParam],
        post: {
          summary: 'Ingest analysis rows (all or nothing; duplicate ids skipped; wrong-typed values stored as missing and counted in type_inconsistent; predictions, scores and targets the model cannot have stored as missing and counted in invalid) (write key)',
          security: write,
          requestBody: { required: true, content: rowsContent },
          responses: {
            ...ok('stored; recompute runs in the background'),
            ...errors(400, 401, 403, 404, 409, 413, 415),
            '429': { ...errors(429)['429'], headers: { 'Retry-After': { description: 'seconds until the backlog is expected back under the bound (1 to 60)', schema: { type: 'integer' } } } },
          },
        },
      },
      '/api/models/{name}/targets': {
        parameters: [modelParam],
        post: {
          summary: 'Attach late targets by id (unknown ids reported, not stored; ids of rows retention deleted reported as expired_ids with their expired_chunks, which keep their results; a class the model does not have is stored as missing and counted in invalid) (write key)',
          security: write,
          requestBody: { required: true, content: rowsContent },
          responses: { ...ok('attached'), ...errors(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      '/api/models/{name}/score': {
        parameters: [modelParam],
        post: {
          summary: 'Score rows for outliers without storing them (score, flag, feature contributions) (write key)',
          security: write,
          requestBody: { required: true, content: rowsContent },
          responses: { ...ok('scores'), ...errors(400, 401, 403, 404, 409, 413, 415, 501) },
        },
      },
      '/api/models/{name}/results': {
        parameters: [modelParam],
        get: {
          summary: 'Results in the run-contract shape',
          security: read,
          parameters: [
            q('calculator', 'calculator id or class'),
            q('metric', 'metric ids, comma-separated or repeated'),
            q('column', 'column names, comma-separated or repeated'),
            q('period', 'reference, analysis or both (default)', { enum: ['reference', 'analysis', 'both'] }),
            timeParam('from'),
            timeParam('to'),
          ],
          responses: { ...ok('rows', { type: 'object', properties: { results: { type: 'array', items: ref('ResultRow') } } }), ...errors(400, 401, 404) },
        },
      },
      '/api/models/{name}/series': {
        parameters: [modelParam],
        get: { summary: 'Series present in the stored results', security: read, parameters: [familyParam], responses: { ...ok('series'), ...errors(400, 401, 404) } },
      },
      '/api/models/{name}/alerts': {
        parameters: [modelParam],
        get: {
          summary: 'Alerting analysis chunks (for annotations)',
          security: read,
          parameters: [familyParam, timeParam('from'), timeParam('to')],
          responses: { ...ok('alerts'), ...errors(400, 401, 404) },
        },
      },
      '/api/query': {
        post: {
          summary: "The plugin's queries: data frames (wide time series or tables)",
          security: read,
          requestBody: { required: true, content: json(ref('QueryRequest')) },
          responses: { ...ok('frames per refId'), ...errors(400, 401) },
        },
        get: {
          summary: 'One query from query-string parameters (for curl); model defaults to the only model, family to all',
          security: read,
          parameters: [
            q('model', 'model name'),
            familyParam,
            q('metric', 'metric ids'),
            q('column', 'columns'),
            q('fields', `result fields (${RESULT_FIELDS.join(', ')})`),
            q('period', 'analysis (default), reference or both'),
            q('format', 'time_series (default) or table'),
            q('calculator_id', 'one calculator id'),
            timeParam('from'),
            timeParam('to'),
          ],
          responses: { ...ok('frames'), ...errors(400, 401) },
        },
      },
      '/api/alerts/webhook': {
        post: {
          summary: "Receive a Grafana alert notification (the provisioned contact point's webhook): logged and kept in memory, the last 200 (write key)",
          security: write,
          requestBody: { required: true, content: json(ref('GrafanaNotification')) },
          responses: { ...ok('received', { type: 'object', properties: { received: { type: 'integer', description: 'alerts in the notification' } } }), ...errors(400, 401, 403, 413) },
        },
        get: {
          summary: 'The notifications received since the server started, newest first (at most 200)',
          security: read,
          responses: {
            ...ok('notifications', {
              type: 'object',
              properties: {
                notifications: {
                  type: 'array',
                  items: { type: 'object', properties: { received_at: { type: 'string', format: 'date-time' }, notification: ref('GrafanaNotification') } },
                },
              },
            }),
            ...errors(401),
          },
        },
      },
      '/prometheus/api/v1/query': { get: { summary: 'Prometheus-compatible API (subset); see docs', security: read, responses: ok('Prometheus JSON') } },
      '/metrics': { get: { summary: 'Latest value of every series, Prometheus text format', security: read, responses: { '200': { description: 'exposition' } } } },
    },
  };
}
