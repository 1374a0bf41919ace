/**
 * Compressed request bodies on the real server (issue 12, item 6): `Content-Encoding: gzip`, `deflate`
 * (zlib-wrapped and raw) and `br` are decoded, so a compressed CSV or NDJSON batch is stored exactly
 * as the plain one; a corrupt or truncated one is 400 naming the coding, an unknown coding 415, a body
 * that inflates past the limit 413 — and none of them writes anything.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
/** The server's body limit in this test: the bomb below inflates far past it. */
const MAX_BODY = 300_000;

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'vigil.db'), env: { VIGIL_MAX_BODY_BYTES: String(MAX_BODY) } });
}, 240_000);

afterAll(async () => {
  if (vigil) expect(await vigil.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A request with raw bytes and headers (fetch sends Content-Encoding as given). */
async function send(method: string, urlPath: string, body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(vigil.url + urlPath, { method, headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

const reference = makeRows(300, { seed: 11, startId: 0, start: START, stepMs: HOUR });
const analysis = makeRows(300, { seed: 12, startId: 10_000, start: START + 400 * HOUR, stepMs: HOUR, shift: 1 });
const ndjson = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function readyModel(name: string) {
  const def = {
    name,
    problem_type: 'classification_binary',
    columns: TEST_MODEL_COLUMNS,
    chunking: { chunk_size: 100 },
    calculators: [{ class: 'MissingValuesCalculator' }, { class: 'UnivariateDriftCalculator', params: { continuous_methods: ['jensen_shannon'], categorical_methods: ['chi2'] } }],
  };
  // The model definition itself goes gzip-compressed (Express's JSON body parser decodes it).
  const created = await send('POST', '/api/models', zlib.gzipSync(JSON.stringify(def)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  expect(created.status).toBe(201);
  const ref = await call(vigil.url, 'PUT', `/api/models/${name}/reference`, { body: toCsv(reference as any), contentType: 'text/csv' });
  expect(ref.status).toBe(200);
}

async function analysisRows(name: string): Promise<number> {
  return (await call(vigil.url, 'GET', `/api/models/${name}`)).body.analysis_rows;
}

/** Stored results without the model-specific parts, for comparing two models fed the same rows. */
async function resultsOf(name: string) {
  await waitComputed(vigil.url, name);
  const r = await call(vigil.url, 'GET', `/api/models/${name}/results?period=analysis`);
  expect(r.status).toBe(200);
  return r.body.results;
}

const sameAnswer = { received: 300, inserted: 300, duplicates: 0 };

test('a gzip CSV batch and gzip/deflate/br NDJSON batches are stored exactly as the plain batch', async () => {
  const csv = toCsv(analysis as any);
  const variants: { name: string; body: Buffer | string; type: string; encoding?: string }[] = [
    { name: 'plain', body: csv, type: 'text/csv' },
    { name: 'gzcsv', body: zlib.gzipSync(csv), type: 'text/csv', encoding: 'gzip' },
    { name: 'identity', body: csv, type: 'text/csv', encoding: 'identity' },
    { name: 'gzndjson', body: zlib.gzipSync(ndjson(analysis as any)), type: 'application/x-ndjson', encoding: 'gzip' },
    { name: 'deflate', body: zlib.deflateSync(ndjson(analysis as any)), type: 'application/x-ndjson', encoding: 'deflate' },
    { name: 'rawdeflate', body: zlib.deflateRawSync(csv), type: 'text/csv', encoding: 'deflate' },
    { name: 'brotli', body: zlib.brotliCompressSync(csv), type: 'text/csv', encoding: 'br' },
  ];
  const answers: Record<string, any> = {};
  for (const v of variants) {
    await readyModel(v.name);
    const headers: Record<string, string> = { 'content-type': v.type };
    if (v.encoding) headers['content-encoding'] = v.encoding;
    const r = await send('POST', `/api/models/${v.name}/rows`, v.body, headers);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject(sameAnswer);
    answers[v.name] = { ...r.body, model: undefined };
  }
  const plain = await resultsOf('plain');
  expect(plain.length).toBeGreaterThan(0);
  for (const v of variants.slice(1)) {
    expect(answers[v.name]).toEqual(answers.plain);
    expect(await resultsOf(v.name)).toEqual(plain);
  }
}, 120_000);

test('a corrupt or truncated compressed body is 400 naming the coding; an unknown coding is 415; nothing is written', async () => {
  await readyModel('refused');
  const csv = toCsv(analysis as any);
  const rows = '/api/models/refused/rows';
  const corrupt = await send('POST', rows, Buffer.from(csv), { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
  expect(corrupt.status).toBe(400);
  expect(corrupt.body.error).toMatchObject({ code: 'malformed_body', where: 'body' });
  expect(corrupt.body.error.message).toMatch(/not valid gzip data.*incorrect header check/);

  const gz = zlib.gzipSync(csv);
  const truncated = await send('POST', rows, gz.subarray(0, gz.length >> 1), { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
  expect(truncated.status).toBe(400);
  expect(truncated.body.error.message).toMatch(/gzip.*truncated/);

  const badDeflate = await send('POST', rows, Buffer.from('\x78\x9cnot deflate at all'), { 'content-type': 'text/csv', 'content-encoding': 'deflate' });
  expect(badDeflate.status).toBe(400);
  expect(badDeflate.body.error.message).toMatch(/not valid deflate data/);

  const badBr = await send('POST', rows, Buffer.from(csv), { 'content-type': 'text/csv', 'content-encoding': 'br' });
  expect(badBr.status).toBe(400);
  expect(badBr.body.error.message).toMatch(/not valid br data/);

  for (const coding of ['compress', 'zstd', 'gzip, snappy']) {
    const r = await send('POST', rows, gz, { 'content-type': 'text/csv', 'content-encoding': coding });
    expect(r.status).toBe(415);
    expect(r.body.error).toMatchObject({ code: 'unsupported_content_encoding', where: 'header.content-encoding' });
    expect(r.body.error.message).toMatch(/gzip, deflate, br/);
  }
  // The small JSON bodies too (Express's body parser): corrupt gzip 400, unknown coding 415.
  const model = await send('POST', '/api/models', Buffer.from('{"name": "x"}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  expect(model.status).toBe(400);
  expect(model.body.error.message).toMatch(/not valid gzip data/);
  const query = await send('POST', '/api/query', Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': 'compress' });
  expect(query.status).toBe(415);

  expect(await analysisRows('refused')).toBe(0);
  // The connection and the server are fine: the plain batch is stored.
  const ok = await send('POST', rows, csv, { 'content-type': 'text/csv' });
  expect(ok.status).toBe(200);
  expect(await analysisRows('refused')).toBe(300);
}, 120_000);

test('a small body that inflates past the limit (a zip bomb) is 413, without reading it all', async () => {
  await readyModel('bomb');
  // ~50 MB of CSV rows that gzip to ~100 KB: decoding stops at the limit.
  const line = `1,${new Date(START).toISOString()},1,1,a,True,0.5,1,1\n`;
  const text = 'id,ts,x1,x2,cat,flag,p,pred,y\n' + line.repeat(Math.ceil(50_000_000 / line.length));
  const bomb = zlib.gzipSync(text, { level: 9 });
  expect(bomb.length).toBeLessThan(MAX_BODY);
  const t0 = Date.now();
  const r = await send('POST', '/api/models/bomb/rows', bomb, { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
  expect(r.status).toBe(413);
  expect(r.body.error).toMatchObject({ code: 'body_too_large', where: 'body' });
  expect(r.body.error.message).toMatch(new RegExp(`limit of ${MAX_BODY} bytes once decoded \\(Content-Encoding: gzip\\)`));
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(await analysisRows('bomb')).toBe(0);
  expect((await call(vigil.url, 'GET', '/healthz')).status).toBe(200);
}, 120_000);

test('a gzip /api/query body gets the same answer as the plain one', async () => {
  await readyModel('queried');
  expect((await call(vigil.url, 'POST', '/api/models/queried/rows', { body: toCsv(analysis as any), contentType: 'text/csv' })).status).toBe(200);
  await waitComputed(vigil.url, 'queried');
  const q = JSON.stringify({ queries: [{ refId: 'A', model: 'queried', family: 'data_quality', metrics: ['missing_values'], columns: ['x1'] }] });
  const plain = await send('POST', '/api/query', q, { 'content-type': 'application/json' });
  const gz = await send('POST', '/api/query', zlib.gzipSync(q), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  expect(plain.status).toBe(200);
  expect(gz.status).toBe(200);
  expect(gz.text).toBe(plain.text);
}, 120_000);
