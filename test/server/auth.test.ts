/**
 * API keys against the real server: the write key for ingest and admin (and reads), the read key for
 * reads only; missing, wrong or malformed keys are 401; without keys the server listens on loopback only
 * and says so; a read key without a write key is refused at start.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { call, makeRows, ROOT, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil } from './helpers';

const WRITE = 'w-secret-key-1';
const READ = 'r-secret-key-2';

describe('with keys', () => {
  let vigil: Vigil;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    vigil = await startVigil({ db: path.join(dir, 'v.db'), env: { VIGIL_WRITE_KEY: WRITE, VIGIL_READ_KEY: READ }, args: ['--host', '127.0.0.1'] });
  }, 240_000);
  afterAll(async () => {
    await vigil?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const model = { name: 'secured', columns: TEST_MODEL_COLUMNS, calculators: [{ class: 'MissingValuesCalculator' }] };
  const reference = makeRows(50, { seed: 1, startId: 0, start: Date.UTC(2024, 0, 1), stepMs: 60_000 });

  test('write routes need the write key', async () => {
    const cases: [string, string, unknown, string?][] = [
      ['POST', '/api/models', model],
      ['PUT', '/api/models/secured/reference', toCsv(reference as any), 'text/csv'],
      ['POST', '/api/models/secured/rows', reference],
      ['POST', '/api/models/secured/targets', [{ id: 1, y: 1 }]],
      ['POST', '/api/models/secured/score', reference],
      ['DELETE', '/api/models/secured', undefined],
    ];
    for (const [method, p, body, contentType] of cases) {
      const missing = await call(vigil.url, method, p, { body, contentType });
      expect([method, p, missing.status, missing.body.error]).toEqual([method, p, 401, { code: 'unauthorized', message: expect.stringMatching(/missing API key/), where: 'header.authorization' }]);
      const wrong = await call(vigil.url, method, p, { body, contentType, key: 'guess' });
      expect([method, p, wrong.status, wrong.body.error.message]).toEqual([method, p, 401, 'wrong API key']);
      const readOnly = await call(vigil.url, method, p, { body, contentType, key: READ });
      expect([method, p, readOnly.status, readOnly.body.error.code]).toEqual([method, p, 403, 'forbidden']);
    }
    expect((await call(vigil.url, 'GET', '/api/models', { key: WRITE })).body.models).toEqual([]);
    // The write key works.
    expect((await call(vigil.url, 'POST', '/api/models', { body: model, key: WRITE })).status).toBe(201);
    expect((await call(vigil.url, 'PUT', '/api/models/secured/reference', { body: reference, key: WRITE })).status).toBe(200);
  });

  test('read routes need a key; the read and the write key both work', async () => {
    const reads = ['/api/health', '/api/catalog', '/api/models', '/api/models/secured', '/api/models/secured/results', '/api/models/secured/series', '/api/models/secured/alerts', '/api/query?model=secured', '/metrics', '/prometheus/api/v1/query?query=1'];
    for (const p of reads) {
      expect([p, (await call(vigil.url, 'GET', p)).status]).toEqual([p, 401]);
      expect([p, (await call(vigil.url, 'GET', p, { key: 'nope' })).status]).toEqual([p, 401]);
      expect([p, (await call(vigil.url, 'GET', p, { key: READ })).status]).toEqual([p, 200]);
      expect([p, (await call(vigil.url, 'GET', p, { key: WRITE })).status]).toEqual([p, 200]);
    }
    expect((await call(vigil.url, 'POST', '/api/query', { body: { queries: [{ refId: 'A', model: 'secured', family: 'data_quality' }] } })).status).toBe(401);
    expect((await call(vigil.url, 'POST', '/api/query', { body: { queries: [{ refId: 'A', model: 'secured', family: 'data_quality' }] }, key: READ })).status).toBe(200);
    // A malformed header is named.
    const res = await fetch(`${vigil.url}/api/models`, { headers: { authorization: `Basic ${READ}` } });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/expected 'Bearer <key>'/);
  });

  test('health probes and the OpenAPI document need no key', async () => {
    for (const p of ['/healthz', '/readyz', '/api/openapi.json']) expect([p, (await call(vigil.url, 'GET', p)).status]).toEqual([p, 200]);
  });
});

describe('without keys', () => {
  test('binds to loopback only and says so, even when asked for all interfaces', async () => {
    const dir = tempDir();
    const vigil = await startVigil({ db: path.join(dir, 'v.db'), args: ['--host', '0.0.0.0'] });
    try {
      const listening = vigil.logs.find((l) => l.msg === 'listening')!;
      expect(listening.host).toBe('127.0.0.1');
      expect(listening.auth).toBe(false);
      expect(vigil.logs.some((l) => l.level === 'warn' && /no API key configured.*127\.0\.0\.1 only/.test(String(l.msg)))).toBe(true);
      expect((await call(vigil.url, 'GET', '/api/models')).status).toBe(200);
    } finally {
      expect(await vigil.stop()).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  test('a read key without a write key is refused at start (exit 2, one clear line)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'serve', '--port', '0', '--db', path.join(tempDir(), 'v.db')], {
      env: { ...process.env, VIGIL_READ_KEY: READ, VIGIL_WRITE_KEY: '' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/VIGIL_READ_KEY is set but VIGIL_WRITE_KEY is not/);
  });
});
