/**
 * Measured sub-tasks that are not a plain `vigil` command. Each runs in its own process (started by
 * run.ts with report-usage.js preloaded) so its peak RSS is its own; timings go to
 * `globalThis.__vigilBench`, which report-usage.js writes out at exit.
 *
 *   child.ts read REFERENCE ANALYSIS [TARGETS] [--timestamp COLUMN]   time to read the CSVs and join the
 *     targets with Vigil's readers, the timestamp column read straight to epoch ms as `vigil run` does
 */
import { defaultJoinColumn, leftJoinTargets, readCsvFile } from '../backend/io/frames';

type Marks = Record<string, unknown>;

function report(marks: Marks): void {
  (globalThis as { __vigilBench?: Marks }).__vigilBench = marks;
}

function readTask(args: string[]): void {
  const at = args.indexOf('--timestamp');
  const timestamps = at >= 0 ? new Set([args[at + 1]]) : undefined;
  const [reference, analysis, targets] = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const t0 = performance.now();
  const ref = readCsvFile(reference, reference, timestamps);
  const ana = readCsvFile(analysis, analysis, timestamps);
  let rows = ana.length;
  if (targets) {
    const tgt = readCsvFile(targets);
    rows = leftJoinTargets(ana, tgt, defaultJoinColumn(ana, tgt)).frame.length;
  }
  report({ read_s: (performance.now() - t0) / 1000, reference_rows: ref.length, analysis_rows: rows });
}

const TASKS: Record<string, (args: string[]) => void | Promise<void>> = {
  read: readTask,
};

async function main(): Promise<void> {
  const [task, ...args] = process.argv.slice(2);
  const run = TASKS[task];
  if (!run) {
    process.stderr.write(`bench child: unknown task '${task}' (known: ${Object.keys(TASKS).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  await run(args);
}

main().catch((e) => {
  process.stderr.write(`bench child: ${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
