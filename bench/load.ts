/**
 * The query scenario's load generator, in a process of its own (its own event loop and heap, nothing
 * else of the bench on it), started by bench/server.ts:
 *
 *   node -r ./bench/register.js bench/load.ts SPEC.json     prints one JSON line: { "<run>": LatencySummary }
 *
 * SPEC: { port, serverPid?, clients, runs: [{ name, requests: LoadRequest[], total, paceMs?, durationMs?,
 * delayMs?, answersChange? }] }, run one after the other on fresh connections (see loadRun in bench/http.ts for how latency is measured).
 */
import * as fs from 'fs';
import { LatencySummary, LoadRequest, loadRun } from './http';

export interface LoadSpec {
  port: number;
  serverPid?: number;
  clients: number;
  runs: { name: string; requests: LoadRequest[]; total: number; paceMs?: number; durationMs?: number; delayMs?: number; answersChange?: boolean }[];
}

async function main(file: string): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as LoadSpec;
  const out: Record<string, LatencySummary> = {};
  for (const run of spec.runs) {
    if (run.delayMs) await new Promise((resolve) => setTimeout(resolve, run.delayMs));
    out[run.name] = await loadRun({
      port: spec.port,
      serverPid: spec.serverPid,
      clients: spec.clients,
      total: run.total,
      requests: run.requests,
      paceMs: run.paceMs,
      durationMs: run.durationMs,
      answersChange: run.answersChange,
    });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main(process.argv[2]).catch((e) => {
    process.stderr.write(`load: ${e instanceof Error ? e.stack : e}\n`);
    process.exitCode = 2;
  });
}
