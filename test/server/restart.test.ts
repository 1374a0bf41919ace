/**
 * Restarts (issue 13 item 3), against the real server:
 * - the listener opens before the models load: /healthz answers while /readyz still says "starting", and
 *   keeps answering while 50 models' fits are loaded for the recompute left over by a SIGKILL;
 * - a persisted fit is reused on restart (the compute worker logs `model fit restored`, never `model
 *   fitted`), and computes the same results as a fresh fit; it is refitted when the reference changed,
 *   when it was written by another code version, and when its blob is corrupt.
 */
import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const rows = (n: number, seed: number, startId: number, shift = 0) => makeRows(n, { seed, startId, start: START + startId * HOUR, stepMs: HOUR, shift });

/** Log lines of the compute worker about one model's fit. */
const fitLogs = (v: Vigil, model: string) => v.logs.filter((l) => l.model === model && (l.msg === 'model fit restored' || l.msg === 'model fitted'));

describe('persisted fits', () => {
  const dir = tempDir();
  const db = path.join(dir, 'v.db');
  const model = { name: 'fits', problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 400 } };
  const readFitRow = () => {
    const d = new Database(db, { readonly: true });
    try {
      return d.prepare('SELECT f.* FROM fits f JOIN models m ON m.id = f.model_id WHERE m.name = ?').get('fits') as Record<string, unknown>;
    } finally {
      d.close();
    }
  };
  const writeFitRow = (set: string, ...args: unknown[]) => {
    const d = new Database(db);
    try {
      d.prepare(`UPDATE fits SET ${set} WHERE model_id = (SELECT id FROM models WHERE name = 'fits')`).run(...args);
    } finally {
      d.close();
    }
  };
  /** Starts the server, ingests a batch into `fits` (so its fit is needed) and waits for the results. */
  const restartAndIngest = async (firstId: number): Promise<Vigil> => {
    const v = await startVigil({ db });
    expect((await call(v.url, 'POST', '/api/models/fits/rows', { body: rows(400, firstId, firstId) })).status).toBe(200);
    await waitComputed(v.url, 'fits');
    return v;
  };
  let nextId = 10_000;

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reused on restart with the same results as a fresh fit; refitted when the reference changed', async () => {
    let v = await startVigil({ db });
    expect((await call(v.url, 'POST', '/api/models', { body: model })).status).toBe(201);
    expect((await call(v.url, 'PUT', '/api/models/fits/reference', { body: rows(1200, 1, 0) })).status).toBe(200);
    expect(await v.stop()).toBe(0);
    const firstFit = readFitRow();
    expect(firstFit.code_version).toMatch(/^\d+\//);

    // Restart: the fit is loaded from the store when the ingest needs it, not refitted.
    v = await restartAndIngest(nextId);
    expect(fitLogs(v, 'fits').map((l) => l.msg)).toEqual(['model fit restored']);
    // A twin registered now is fitted fresh on the same reference; the same rows give the same results.
    expect((await call(v.url, 'POST', '/api/models', { body: { ...model, name: 'twin' } })).status).toBe(201);
    expect((await call(v.url, 'PUT', '/api/models/twin/reference', { body: rows(1200, 1, 0) })).status).toBe(200);
    expect((await call(v.url, 'POST', '/api/models/twin/rows', { body: rows(400, nextId, nextId) })).status).toBe(200);
    await waitComputed(v.url, 'twin');
    const analysis = async (name: string) => (await call(v.url, 'GET', `/api/models/${name}/results?period=analysis`)).body.results;
    const restoredResults = await analysis('fits');
    expect(restoredResults.length).toBeGreaterThan(20);
    expect(JSON.stringify(restoredResults)).toBe(JSON.stringify(await analysis('twin')));
    nextId += 400;

    // A new reference: fitted at upload, and that fit is what the next restart reuses.
    expect((await call(v.url, 'PUT', '/api/models/fits/reference', { body: rows(1200, 2, 0, 3) })).status).toBe(200);
    expect(await v.stop()).toBe(0);
    expect(readFitRow().inputs_hash).not.toBe(firstFit.inputs_hash);
    v = await restartAndIngest(nextId);
    nextId += 400;
    expect(fitLogs(v, 'fits').map((l) => l.msg)).toEqual(['model fit restored']);
    expect(await v.stop()).toBe(0);

    // The fit of the first reference put back (as if the new reference had been stored without its
    // fit): it no longer matches the reference, so the model is refitted, and the row replaced.
    writeFitRow('inputs_hash = ?, checksum = ?, blob = ?, code_version = ?', firstFit.inputs_hash, firstFit.checksum, firstFit.blob, firstFit.code_version);
    v = await restartAndIngest(nextId);
    nextId += 400;
    const logs = fitLogs(v, 'fits');
    expect(logs.map((l) => l.msg)).toEqual(['model fitted']);
    expect(logs[0].reason).toMatch(/reference, definition or calculators changed/);
    expect(await v.stop()).toBe(0);
    expect(readFitRow().inputs_hash).not.toBe(firstFit.inputs_hash);
  }, 240_000);

  test('refitted when saved by another code version, or when the blob is corrupt; never half-used', async () => {
    writeFitRow("code_version = '0/0.0.1'");
    let v = await restartAndIngest(nextId);
    nextId += 400;
    let logs = fitLogs(v, 'fits');
    expect(logs.map((l) => l.msg)).toEqual(['model fitted']);
    expect(logs[0].reason).toMatch(/another code version \(0\/0\.0\.1/);
    expect(await v.stop()).toBe(0);
    expect(readFitRow().code_version).not.toBe('0/0.0.1');

    // One flipped byte in the middle of the blob: the checksum no longer matches.
    const blob = Buffer.from(readFitRow().blob as Buffer);
    blob[blob.length >> 1] ^= 0x5a;
    writeFitRow('blob = ?', blob);
    v = await restartAndIngest(nextId);
    nextId += 400;
    logs = fitLogs(v, 'fits');
    expect(logs.map((l) => l.msg)).toEqual(['model fitted']);
    expect(logs[0].reason).toMatch(/checksum/);
    expect(await v.stop()).toBe(0);

    // The refit was saved: the next restart reuses it again.
    v = await restartAndIngest(nextId);
    expect(fitLogs(v, 'fits').map((l) => l.msg)).toEqual(['model fit restored']);
    expect(await v.stop()).toBe(0);
  }, 240_000);
});

test('/healthz answers during a restart with 50 models', async () => {
  const MODELS = 50;
  const dir = tempDir();
  const db = path.join(dir, 'v.db');
  try {
    let v = await startVigil({ db });
    const names = Array.from({ length: MODELS }, (_, i) => `m${String(i).padStart(2, '0')}`);
    for (const [i, name] of names.entries()) {
      const model = { name, problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 100 } };
      expect((await call(v.url, 'POST', '/api/models', { body: model })).status).toBe(201);
      expect((await call(v.url, 'PUT', `/api/models/${name}/reference`, { body: rows(300, i + 1, 0) })).status).toBe(200);
    }
    // Rows into every model, then SIGKILL: the restart finds chunks to recompute, so it loads fits.
    await Promise.all(names.map(async (name, i) => expect((await call(v.url, 'POST', `/api/models/${name}/rows`, { body: rows(300, 100 + i, 10_000) })).status).toBe(200)));
    await v.kill();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const spawnedAt = performance.now();
    let stop = false;
    const seen = { healthOkAt: null as number | null, readyAt: null as number | null, notReadyAfterHealthOk: 0, maxHealthMs: 0 };
    const pollHealth = async () => {
      while (!stop) {
        const t0 = performance.now();
        try {
          const r = await fetch(`${base}/healthz`);
          if (r.status === 200) {
            seen.healthOkAt ??= performance.now();
            seen.maxHealthMs = Math.max(seen.maxHealthMs, performance.now() - t0);
          }
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const pollReady = async () => {
      while (!stop && seen.readyAt === null) {
        try {
          const r = await fetch(`${base}/readyz`);
          if (r.status === 200) seen.readyAt = performance.now();
          else if (seen.healthOkAt !== null) seen.notReadyAfterHealthOk++;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const polls = [pollHealth(), pollReady()];
    v = await startVigil({ db, args: ['--port', String(port)] });
    try {
      // A query sent before the server is ready waits for it instead of failing.
      const models = await call(v.url, 'GET', '/api/models');
      expect(models.status).toBe(200);
      expect(models.body.models.length).toBe(MODELS);
      for (const name of names) await waitComputed(v.url, name, undefined, 120_000);
      stop = true;
      await Promise.all(polls);
      expect(seen.healthOkAt).not.toBeNull();
      expect(seen.readyAt).not.toBeNull();
      expect(seen.healthOkAt!).toBeLessThanOrEqual(seen.readyAt!);
      // /healthz answered while /readyz still said "starting".
      expect(seen.notReadyAfterHealthOk).toBeGreaterThan(0);
      expect(seen.healthOkAt! - spawnedAt).toBeLessThan(5_000);
      // ... and kept answering promptly while the fits were loaded and the chunks recomputed.
      expect(seen.maxHealthMs).toBeLessThan(1_000);
      const msgs = v.logs.map((l) => l.msg);
      expect(msgs.indexOf('listening')).toBeLessThan(msgs.indexOf('ready'));
      // Fits came from the store: not one model was refitted from scratch.
      expect(msgs.filter((m) => m === 'model fitted')).toEqual([]);
      expect(msgs.filter((m) => m === 'model fit restored').length).toBeGreaterThan(0);
    } finally {
      stop = true;
      await Promise.all(polls);
      expect(await v.stop()).toBe(0);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
