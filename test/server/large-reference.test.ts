/**
 * A reference with more result records than a spread call can take: hourly chunks over a year × 15
 * columns = 131,400 reference records for one calculator. `records.push(...list)` overflowed the call
 * stack (RangeError) past ~125k on the main thread and the reference upload failed; the server now appends
 * them one by one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { call, prng, startVigil, tempDir, Vigil, waitComputed } from './helpers';

const HOUR = 3_600_000;
const HOURS = 365 * 24;
const COLUMNS = Array.from({ length: 15 }, (_, i) => `x${i + 1}`);
const START = Date.UTC(2025, 0, 1);

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  // Inline compute: the fit runs on the main thread, whose stack (~1 MB) takes ~125k spread arguments; a
  // worker thread's 4 MB stack takes ~450k, so the same reference would pass there by luck of stack size.
  vigil = await startVigil({ db: path.join(dir, 'v.db'), env: { VIGIL_COMPUTE: 'inline' } });
}, 120_000); // startVigil rebuilds a stale build/ first

afterAll(async () => {
  if (vigil) expect(await vigil.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One row per hour from `start`; about 5 % of the values missing. */
function csv(start: number, hours: number, seed: number): string {
  const rnd = prng(seed);
  const lines = [['id', 'timestamp', ...COLUMNS].join(',')];
  for (let h = 0; h < hours; h++) {
    const values = COLUMNS.map(() => (rnd() < 0.05 ? '' : (rnd() * 100).toFixed(3)));
    lines.push([`${seed}-${h}`, new Date(start + h * HOUR).toISOString(), ...values].join(','));
  }
  return lines.join('\n');
}

test('a year of hourly reference chunks × 15 columns (131,400 reference records) is fitted and served', async () => {
  const created = await call(vigil.url, 'POST', '/api/models', {
    body: {
      name: 'hourly',
      columns: { features: COLUMNS, timestamp: 'timestamp', id: 'id' },
      chunking: { chunk_period: 'h' },
      calculators: [{ class: 'MissingValuesCalculator' }],
    },
  });
  expect(created.status).toBe(201);
  const ref = await call(vigil.url, 'PUT', '/api/models/hourly/reference', { body: csv(START, HOURS, 1), contentType: 'text/csv' });
  expect([ref.status, ref.body?.error ?? null]).toEqual([200, null]);

  // Every column's series has its 8,760 reference chunks (first and last column checked: each answer is ~4 MB).
  for (const column of [COLUMNS[0], COLUMNS[COLUMNS.length - 1]]) {
    const series = await call(vigil.url, 'GET', `/api/models/hourly/results?period=reference&calculator=MissingValuesCalculator&column=${column}`);
    expect(series.status).toBe(200);
    expect(series.body.results.map((r: any) => r.chunk.index)).toEqual(Array.from({ length: HOURS }, (_, i) => i));
  }

  // Analysis chunks compute against those reference results (thresholds from 8,760 reference chunks).
  const rows = await call(vigil.url, 'POST', '/api/models/hourly/rows', { body: csv(START + HOURS * HOUR, 3, 2), contentType: 'text/csv' });
  expect(rows.status).toBeLessThan(300);
  await waitComputed(vigil.url, 'hourly');
  const analysis = await call(vigil.url, 'GET', '/api/models/hourly/results?period=analysis&calculator=MissingValuesCalculator');
  expect(analysis.body.results).toHaveLength(3 * COLUMNS.length);
  for (const r of analysis.body.results) expect(typeof r.upper_threshold).toBe('number');
}, 120_000);
