/**
 * A row acknowledged is never lost: a stream of ingests runs with several requests in flight, the server
 * process is killed with SIGKILL in the middle of it, and after a restart on the same SQLite file every
 * acknowledged batch is there, whole, and no batch is there in part.
 *
 * Presence is checked through the API itself: re-sending a batch reports how many of its ids were
 * already stored (`duplicates`), which is all of them or none.
 */
import * as fs from 'fs';
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, Vigil, waitComputed } from './helpers';

const BATCH = 500;
/** Batches acknowledged before the kill. */
const KILL_AFTER_ACKS = 30;
/** Requests in flight at once, so the kill lands while some are being written. */
const IN_FLIGHT = 4;
const START = Date.UTC(2024, 0, 1);
/** About the time one 500-row batch takes to parse and commit. */
const KILL_DELAY_MS = 3;

test('SIGKILL during a stream of ingests: every acknowledged batch survives, no batch is partial', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'vigil.db');
  let vigil: Vigil = await startVigil({ db });
  try {
    const model = { name: 'durable', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 2000 }, calculators: [{ class: 'MissingValuesCalculator' }] };
    expect((await call(vigil.url, 'POST', '/api/models', { body: model })).status).toBe(201);
    const reference = makeRows(1000, { seed: 1, startId: 0, start: START, stepMs: 1000 });
    expect((await call(vigil.url, 'PUT', '/api/models/durable/reference', { body: reference })).status).toBe(200);

    const batches = Array.from({ length: 200 }, (_, k) =>
      JSON.stringify(makeRows(BATCH, { seed: 100 + k, startId: 1_000_000 + k * BATCH, start: START + 1e9 + k * BATCH * 1000, stepMs: 1000, withTarget: false })),
    );
    const acked = new Set<number>();
    let next = 0;
    let killed = false;
    let killScheduled = false;
    const url = vigil.url;
    const sender = async () => {
      while (!killed && next < batches.length) {
        const k = next++;
        try {
          const r = await call(url, 'POST', '/api/models/durable/rows', { body: batches[k] });
          if (r.status === 200 && r.body.inserted === BATCH) acked.add(k);
          else if (!killed) throw new Error(`batch ${k}: ${r.status} ${r.text}`);
        } catch (e) {
          if (!killed) throw e; // connection reset by the kill is expected
        }
        if (acked.size >= KILL_AFTER_ACKS && !killScheduled) {
          // A few ms later, while the other senders' batches are being parsed and written.
          killScheduled = true;
          setTimeout(() => {
            killed = true;
            vigil.proc.kill('SIGKILL');
          }, KILL_DELAY_MS);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    await vigil.exited;
    const sent = next;
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    vigil = await startVigil({ db });
    const m = await waitComputed(vigil.url, 'durable');
    expect(m.analysis_rows % BATCH).toBe(0);
    // The recompute resumed after the restart: every chunk of the surviving rows has results.
    const results = (await call(vigil.url, 'GET', '/api/models/durable/results?period=analysis&column=x1&calculator=MissingValuesCalculator')).body.results;
    expect(results.length).toBe(Math.ceil(m.analysis_rows / 2000));
    let present = 0;
    for (let k = 0; k < sent; k++) {
      const r = await call(vigil.url, 'POST', '/api/models/durable/rows', { body: batches[k] });
      expect(r.status).toBe(200);
      // All or nothing per batch.
      expect([k, [0, BATCH]]).toEqual([k, expect.arrayContaining([r.body.duplicates])]);
      if (r.body.duplicates === BATCH) present++;
      if (acked.has(k)) expect([k, r.body.duplicates]).toEqual([k, BATCH]);
    }
    expect(m.analysis_rows).toBe(present * BATCH);
  } finally {
    await vigil.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
