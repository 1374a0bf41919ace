/**
 * A probe, not a scenario: the 200-model half of `rules-during-ingest` alone, for quick iterations on the
 * query thread (the scenario's own functions; the restart scenario's database, built first when missing).
 *
 *   npm run build:backend && node -r ./bench/register.js bench/probe-many-rules.ts
 *
 * Environment: PROBE_ROUNDS (default 1) and PROBE_WINDOW_MS (default 15000) for the rounds; PROBE_ENV, a
 * JSON object of extra environment for the server (e.g. '{"VIGIL_COMPUTE_NICE":"15"}'); PROBE_PROF, a
 * directory for the server's CPU profiles (one per thread, written when it stops). Prints the rounds'
 * metrics as JSON on stdout; the server's stderr goes to PROBE_STDERR when set.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DATA_DIR } from './generate';
import { Client, freePort } from './http';
import { ROOT, startNode } from './measure';
import { firstOk, stopServer } from './restart';
import { firstRuleEvaluations, ingestTemplate, ingestWithAndWithoutRules, LONG_LOOKBACK, manyModelsDb, provisionedRules, roundsMetrics, timedRule } from './rules-during-ingest';

(async () => {
  const workDir = path.join(DATA_DIR, 'run');
  fs.mkdirSync(workDir, { recursive: true });
  const ctx = { workDir, options: { quick: false }, log: (s: string) => console.error(s) } as never;
  const many = await manyModelsDb(ctx, 'rules-many-probe');
  const port = await freePort();
  const env = { ...LONG_LOOKBACK, ...(process.env.PROBE_ENV ? (JSON.parse(process.env.PROBE_ENV) as Record<string, string>) : {}) };
  const started = startNode(path.join(ROOT, 'bin', 'vigil.js'), ['serve', '--port', String(port), '--db', many.db], { timeoutMs: 600_000, env, cpuProfileDir: process.env.PROBE_PROF });
  const server = { started, client: new Client(port, 8), spawnedAt: performance.now() };
  try {
    await firstOk(server, '/readyz');
    console.error(`first rule ${(await timedRule(server.client, provisionedRules()[0])).toFixed(0)} ms; each rule's first evaluation at most ${(await firstRuleEvaluations(server.client)).toFixed(0)} ms`);
    const tpl = ingestTemplate(workDir, 'rules-many', fs.readFileSync(many.analysisCsv, 'utf8'), 5_000);
    const rounds = Number(process.env.PROBE_ROUNDS ?? 1);
    const r = await ingestWithAndWithoutRules(ctx, 'probe', { port, serverPid: server.started.child.pid, models: many.models, ...tpl, firstId: 100_000_000 }, rounds, Number(process.env.PROBE_WINDOW_MS ?? 15_000));
    console.log(JSON.stringify(roundsMetrics('many', r)));
  } finally {
    const m = await stopServer(server);
    if (process.env.PROBE_STDERR) fs.writeFileSync(process.env.PROBE_STDERR, m.stderr);
  }
})();
