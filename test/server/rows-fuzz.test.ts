/**
 * Property-based test of the ingest route on the real server (issue 12, item 8): whatever is posted to
 * `POST /api/models/{name}/rows` — valid or mutated CSV, JSON and NDJSON batches, arbitrary text or
 * bytes, any Content-Type, plain or compressed or with an unknown Content-Encoding — the answer is 200
 * or a 4xx in the API's error shape naming where, never a 5xx; and the model holds exactly the rows of
 * the batches answered 200. Bounded and seeded (test/helpers/fuzz.ts).
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { fuzzParams } from '../helpers/fuzz';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil } from './helpers';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'vigil.db'), env: { VIGIL_MAX_BODY_BYTES: '100000' } });
  const def = { name: 'fuzz', problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 50 }, calculators: [{ class: 'MissingValuesCalculator' }] };
  expect((await call(vigil.url, 'POST', '/api/models', { body: def })).status).toBe(201);
  const reference = makeRows(200, { seed: 1, startId: 0, start: START, stepMs: HOUR });
  expect((await call(vigil.url, 'PUT', '/api/models/fuzz/reference', { body: toCsv(reference as any), contentType: 'text/csv' })).status).toBe(200);
}, 240_000);

afterAll(async () => {
  if (vigil) expect(await vigil.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Fresh ids for every generated batch, so accepted rows add up. */
let nextId = 1_000_000;

const format = fc.constantFrom('csv', 'json', 'ndjson');
const contentTypes: Record<string, string> = { csv: 'text/csv', json: 'application/json', ndjson: 'application/x-ndjson' };

/** A valid batch of the model's rows in one of the three formats (its text). */
const validBatch = fc.record({ format, n: fc.integer({ min: 1, max: 40 }), seed: fc.nat() }).map(({ format: f, n, seed }) => {
  const rows = makeRows(n, { seed, startId: (nextId += 100), start: START + 300 * HOUR, stepMs: HOUR }) as unknown as Record<string, unknown>[];
  const text = f === 'csv' ? toCsv(rows) : f === 'json' ? JSON.stringify(rows) : rows.map((r) => JSON.stringify(r)).join('\n');
  return { format: f, text };
});

const mutation = fc.record({ at: fc.nat(), ch: fc.constantFrom(',', '"', '\n', '{', '}', '[', ']', ':', 'x', '1', '-', 'é', '\u0000'), how: fc.constantFrom('none', 'cut', 'insert', 'replace') });

function mutate(text: string, m: { at: number; ch: string; how: string }): string {
  const p = m.at % (text.length + 1);
  if (m.how === 'cut') return text.slice(0, p);
  if (m.how === 'insert') return text.slice(0, p) + m.ch + text.slice(p);
  if (m.how === 'replace') return text.slice(0, p) + m.ch + text.slice(p + 1);
  return text;
}

const body = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(validBatch, mutation).map(([b, m]) => ({ format: b.format, bytes: Buffer.from(mutate(b.text, m)) })) },
  { weight: 1, arbitrary: fc.record({ format, bytes: fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)) }) },
  { weight: 1, arbitrary: fc.record({ format, bytes: fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)) }) },
);

/** Content-Type: usually the body's own, sometimes another one or none. */
const contentType = fc.option(fc.constantFrom('text/csv', 'application/json', 'application/x-ndjson', 'text/plain', 'application/json; charset=utf-8'), { nil: undefined, freq: 2 });
const encoding = fc.constantFrom(undefined, undefined, 'gzip', 'deflate', 'br', 'identity', 'compress', 'gzip-but-corrupt');

test('any body to POST /rows: 200 or a 4xx naming where, never a 5xx; accepted rows add up (150 runs)', async () => {
  let accepted = 0;
  const before = (await call(vigil.url, 'GET', '/api/models/fuzz')).body.analysis_rows as number;
  await fc.assert(
    fc.asyncProperty(body, contentType, fc.boolean(), encoding, async (b, type, ownType, enc) => {
      const headers: Record<string, string> = {};
      const ct = ownType ? contentTypes[b.format] : type;
      if (ct) headers['content-type'] = ct;
      let bytes: Buffer = b.bytes;
      if (enc === 'gzip') bytes = zlib.gzipSync(bytes);
      else if (enc === 'deflate') bytes = zlib.deflateSync(bytes);
      else if (enc === 'br') bytes = zlib.brotliCompressSync(bytes);
      if (enc) headers['content-encoding'] = enc === 'gzip-but-corrupt' ? 'gzip' : enc;
      const res = await fetch(`${vigil.url}/api/models/fuzz/rows`, { method: 'POST', headers, body: new Uint8Array(bytes) });
      const text = await res.text();
      expect(res.status).toBeLessThan(500);
      const answer = JSON.parse(text);
      if (res.status === 200) accepted += answer.inserted;
      else {
        expect([400, 413, 415]).toContain(res.status);
        expect(typeof answer.error.code).toBe('string');
        expect(typeof answer.error.message).toBe('string');
        expect(typeof answer.error.where).toBe('string');
      }
    }),
    fuzzParams(150),
  );
  expect(accepted).toBeGreaterThan(0);
  const model = (await call(vigil.url, 'GET', '/api/models/fuzz')).body;
  expect(model.analysis_rows).toBe(before + accepted);
  expect((await call(vigil.url, 'GET', '/healthz')).status).toBe(200);
}, 120_000);
