/**
 * /api/query's answer cache and the clock: an answer with a chunk of a period-chunked model that is
 * still `partial` (its period has not ended) is reused up to the end of that period and recomputed
 * after it; answers with no such chunk only change with the results. The server runs in this process
 * (real Express app, SQLite file, compute worker) so that the test can move the clock the query path
 * reads (Date.now) and count the store reads behind the answers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RunningServer, startServer } from '../../backend/api/server';
import { call, tempDir, waitComputed } from './helpers';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
/** Reference: 48 hours; analysis: the 3 hours after it (the last one is the one that can be partial). */
const REFERENCE_HOURS = 48;
const ANALYSIS_HOURS = 3;
const ROWS_PER_HOUR = 4;

function csv(fromHour: number, hours: number, firstId: number): string {
  const lines = ['id,ts,x1'];
  let id = firstId;
  for (let h = 0; h < hours; h++) {
    for (let k = 0; k < ROWS_PER_HOUR; k++) {
      const missing = (h + k) % 5 === 0;
      lines.push(`${id++},${new Date(START + (fromHour + h) * HOUR + k * 60_000).toISOString()},${missing ? '' : (h * 0.5 + k).toFixed(2)}`);
    }
  }
  return lines.join('\n') + '\n';
}

let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'vigil.db'), synchronous: 'normal' });
  const created = await call(server.url, 'POST', '/api/models', {
    body: { name: 'hourly', columns: { features: ['x1'], timestamp: 'ts', id: 'id' }, chunking: { chunk_period: 'h' }, calculators: [{ class: 'MissingValuesCalculator' }] },
  });
  expect(created.status).toBe(201);
  expect((await call(server.url, 'PUT', '/api/models/hourly/reference', { body: csv(0, REFERENCE_HOURS, 0), contentType: 'text/csv' })).status).toBe(200);
  const rows = await call(server.url, 'POST', '/api/models/hourly/rows', { body: csv(REFERENCE_HOURS, ANALYSIS_HOURS, 100_000), contentType: 'text/csv' });
  expect(rows.status).toBeLessThan(300);
  await waitComputed(server.url, 'hourly');
}, 60_000);

afterAll(async () => {
  jest.restoreAllMocks();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const QUERY = { queries: [{ refId: 'A', model: 'hourly', family: 'data_quality', metrics: ['missing_values'], columns: ['x1'], format: 'table' }] };

test('a partial period chunk bounds how long an answer is reused; without one, only the results do', async () => {
  const reads = jest.spyOn(server.service.store, 'queryResults');
  let clock = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  const ask = async (at: number) => {
    clock = at;
    const r = await call(server.url, 'POST', '/api/query', { body: QUERY });
    expect(r.status).toBe(200);
    const fields = r.body.results.A.frames[0].fields as { name: string; values: unknown[] }[];
    const col = (name: string) => fields.find((f) => f.name === name)!.values;
    return { text: r.text, partial: col('partial'), ends: col('time_end') as number[], reads: reads.mock.calls.length };
  };

  // Half-way through the last analysis hour: that chunk is partial until its end.
  const lastHour = START + (REFERENCE_HOURS + ANALYSIS_HOURS - 1) * HOUR;
  const during = await ask(lastHour + HOUR / 2);
  expect(during.partial).toEqual([false, false, true]);
  const end = during.ends[2];
  expect(end).toBeGreaterThanOrEqual(lastHour + HOUR / 2);

  // Up to the chunk's end the same answer is served without reading the store again ...
  const atEnd = await ask(end);
  expect(atEnd.text).toBe(during.text);
  expect(atEnd.reads).toBe(during.reads);

  // ... and once the clock has passed it, the answer is recomputed: the chunk is no longer partial.
  const after = await ask(end + 1);
  expect(after.reads).toBe(during.reads + 1);
  expect(after.partial).toEqual([false, false, false]);

  // No partial chunk left: the answer holds however far the clock moves, until the results change.
  const dayLater = await ask(end + 24 * HOUR);
  expect(dayLater.text).toBe(after.text);
  expect(dayLater.reads).toBe(after.reads);
});
