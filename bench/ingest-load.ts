/**
 * The `mixed` scenario's ingest load generator, in a process of its own (bench/mixed.ts starts it beside
 * the query load generator, bench/load.ts):
 *
 *   node -r ./bench/register.js bench/ingest-load.ts SPEC.json     prints one JSON line: IngestLoadSummary
 *
 * `clients` keep-alive connections each post CSV batches of `batchRows` rows to
 * `POST /api/models/{model}/rows`, the next as soon as the previous is answered, for `warmupMs +
 * durationMs`. A batch is cut from the template rows (the data columns of generated analysis rows,
 * cycled) under fresh ids and timestamps after every stored row, so each row is new to the model (no
 * duplicate ids: the server does all of an ingest's work for every batch). Only batches answered inside
 * the measured window (after the warm-up) count towards rows/s. A 429 (back-pressure) is counted and the
 * client waits its Retry-After before posting again, as a well-behaved client does.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { formatTimestamp, timestampOfId } from './generate';
import { Client, percentile } from './http';

export interface IngestLoadSpec {
  port: number;
  model: string;
  clients: number;
  batchRows: number;
  /** CSV header line (id, timestamp, then the data columns) */
  header: string;
  /** file with one template line per row: the data columns after id and timestamp, with their leading comma */
  templateFile: string;
  firstId: number;
  warmupMs: number;
  durationMs: number;
  /** post to these models in turn instead of `model` alone (the many-models scenarios) */
  models?: string[];
  /** send the bodies gzip-compressed (Content-Encoding: gzip) */
  gzip?: boolean;
}

export interface IngestLoadSummary {
  rows: number;
  batches: number;
  seconds: number;
  rows_per_s: number;
  batch_p50_ms: number;
  batch_p99_ms: number;
  /** every refusal or error (429s included) */
  errors: number;
  /** 429 answers (back-pressure: VIGIL_MAX_BACKLOG or VIGIL_MAX_LAG), each followed by a wait of its Retry-After */
  refused_429: number;
  first_error: string | null;
}

async function main(file: string): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as IngestLoadSpec;
  const template = fs.readFileSync(spec.templateFile, 'utf8').split('\n').filter((l) => l !== '');
  if (template.length === 0) throw new Error(`no template rows in ${spec.templateFile}`);
  const client = new Client(spec.port, spec.clients, spec.gzip ? { 'content-encoding': 'gzip' } : {});
  let nextId = spec.firstId;
  let cursor = 0;
  const batch = (): string => {
    const lines = [spec.header];
    for (let k = 0; k < spec.batchRows; k++) {
      const id = nextId++;
      lines.push(`${id},${formatTimestamp(timestampOfId(id))}${template[cursor]}`);
      cursor = (cursor + 1) % template.length;
    }
    return lines.join('\n') + '\n';
  };
  const t0 = performance.now();
  const measureFrom = t0 + spec.warmupMs;
  const stopAt = measureFrom + spec.durationMs;
  let rows = 0;
  let errors = 0;
  let refused429 = 0;
  let firstError: string | null = null;
  const ms: number[] = [];
  const paths = (spec.models ?? [spec.model]).map((m) => `/api/models/${m}/rows`);
  let turn = 0;
  const loop = async () => {
    while (performance.now() < stopAt) {
      const text = batch();
      const body = spec.gzip ? zlib.gzipSync(text) : text;
      const res = await client.request('POST', paths[turn++ % paths.length], body, 'text/csv');
      const done = performance.now();
      if (res.status !== 200) {
        errors++;
        firstError ??= `HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`;
        if (res.status === 429) {
          refused429++;
          const wait = Number(res.headers?.['retry-after'] ?? 1) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, stopAt - performance.now()))));
        }
        continue;
      }
      if (done >= measureFrom && done <= stopAt) {
        rows += (JSON.parse(res.body.toString()) as { inserted: number }).inserted;
        ms.push(res.ms);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.clients }, loop));
  client.close();
  const sorted = Float64Array.from(ms).sort();
  const seconds = spec.durationMs / 1000;
  const summary: IngestLoadSummary = {
    rows,
    batches: ms.length,
    seconds,
    rows_per_s: rows / seconds,
    batch_p50_ms: percentile(sorted, 0.5),
    batch_p99_ms: percentile(sorted, 0.99),
    errors,
    refused_429: refused429,
    first_error: firstError,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (require.main === module) {
  main(process.argv[2]).catch((e) => {
    process.stderr.write(`ingest-load: ${e instanceof Error ? e.stack : e}\n`);
    process.exitCode = 2;
  });
}
