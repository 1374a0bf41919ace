/**
 * The real Vigil server (Express app, SQLite file, recompute) on a loopback port with the demo model loaded
 * and computed, as `vigil demo` starts it. Used by the Prometheus contract tests and the live provisioning
 * tests; `stop()` closes it and deletes its database.
 */
import fs from 'fs';
import path from 'path';
import { RunningServer, startServer } from '../../backend/api/server';
import { loadDemo } from '../../backend/demo/load';
import { DEMO_DEFAULTS } from '../../backend/demo/dataset';
import { tempDir } from './prom-helpers';

const DAY_MS = 86_400_000;
/** The demo's data ends at noon UTC: its last day always holds half a day's rows. */
const DEMO_END_HOUR_MS = 12 * 3_600_000;

/**
 * The demo's clock: the latest noon (UTC) at or before the wall clock. Pinned, so the last chunk has the
 * same half day of rows at any time of day (with the wall clock, just after midnight it held a handful,
 * and a batch "an hour ago" fell into yesterday's chunk); recent, so the chunks stay inside Vigil's
 * Prometheus lookback (VIGIL_PROM_LOOKBACK, 7 days) for queries at the wall clock.
 */
export function demoClock(wallClock = Date.now()): number {
  const noon = Math.floor(wallClock / DAY_MS) * DAY_MS + DEMO_END_HOUR_MS;
  return noon <= wallClock ? noon : noon - DAY_MS;
}

export interface DemoServer {
  server: RunningServer;
  url: string;
  /** The demo's clock (demoClock()): its data runs up to this time (ms). */
  now: number;
  stop(): Promise<void>;
}

export async function startDemoServer(): Promise<DemoServer> {
  const dir = tempDir('demo');
  const now = demoClock();
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dbPath: path.join(dir, 'vigil.db'),
    synchronous: 'normal',
    // Pinned like `vigil demo --now`: the last day stays open (partial="true"), whatever the time of day.
    now: () => now,
    prepare: async (service) => {
      await loadDemo(service, { ...DEMO_DEFAULTS, now });
    },
  });
  return {
    server,
    url: server.url,
    now,
    async stop() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
