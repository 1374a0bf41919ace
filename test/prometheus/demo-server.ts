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

export interface DemoServer {
  server: RunningServer;
  url: string;
  /** The demo's clock: its data runs up to this time (ms). */
  now: number;
  stop(): Promise<void>;
}

export async function startDemoServer(): Promise<DemoServer> {
  const dir = tempDir('demo');
  const now = Date.now();
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dbPath: path.join(dir, 'vigil.db'),
    synchronous: 'normal',
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
