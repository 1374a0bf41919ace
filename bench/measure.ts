/**
 * Runs one measured process at a time: wall time from spawn to exit (seen from the parent), and the
 * process's own peak RSS and CPU time (reported from inside by `report-usage.js`).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');
const REGISTER = path.join(__dirname, 'register.js');
const REPORT_USAGE = path.join(__dirname, 'report-usage.js');

export interface Measurement {
  wall_s: number;
  max_rss_bytes: number | null;
  user_cpu_s: number | null;
  system_cpu_s: number | null;
  /** whatever the measured program left in `globalThis.__vigilBench` */
  extra: unknown;
  exit_code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** kill the process after this long (a benchmark must never hang the run) */
  timeoutMs?: number;
  /** write a V8 CPU profile into this folder (node --cpu-prof) */
  cpuProfileDir?: string;
}

const MAX_CAPTURE = 1 << 20;

export interface Started {
  child: ChildProcess;
  /** resolves when the process has exited */
  done: Promise<Measurement>;
}

/** Spawns `command args` and collects its output and, at exit, its usage report. */
export function startMeasured(command: string, args: string[], options: RunOptions = {}): Started {
  const reportFile = path.join(os.tmpdir(), `vigil-bench-usage-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env, VIGIL_BENCH_REPORT: reportFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    if (stdout.length < MAX_CAPTURE) stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < MAX_CAPTURE) stderr += d.toString();
  });
  const done = new Promise<Measurement>((resolve, reject) => {
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stderr += `\n[bench] killed after ${options.timeoutMs} ms`;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : null;
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (timer) clearTimeout(timer);
      let usage: { max_rss_bytes?: number; user_cpu_s?: number; system_cpu_s?: number; extra?: unknown } = {};
      try {
        usage = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
        fs.unlinkSync(reportFile);
      } catch {
        // no report: a Python process (it reports in its own output) or a crash
      }
      resolve({
        wall_s: wall,
        max_rss_bytes: usage.max_rss_bytes ?? null,
        user_cpu_s: usage.user_cpu_s ?? null,
        system_cpu_s: usage.system_cpu_s ?? null,
        extra: usage.extra ?? null,
        exit_code: code,
        stdout,
        stderr,
      });
    });
  });
  return { child, done };
}

/** Spawns `command args`, waits for exit, and collects its output and usage report. */
export function runMeasured(command: string, args: string[], options: RunOptions = {}): Promise<Measurement> {
  return startMeasured(command, args, options).done;
}

/** A Node program measured with the usage report preloaded (and bench's TypeScript loader for .ts files). */
export function runNode(script: string, args: string[], options: RunOptions = {}): Promise<Measurement> {
  return startNode(script, args, options).done;
}

/** Starts a Node program (e.g. the server) measured like `runNode`, without waiting for it. */
export function startNode(script: string, args: string[], options: RunOptions = {}): Started {
  const nodeArgs = ['-r', REPORT_USAGE];
  if (script.endsWith('.ts')) nodeArgs.push('-r', REGISTER);
  if (options.cpuProfileDir) {
    fs.mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir);
  }
  return startMeasured(process.execPath, [...nodeArgs, script, ...args], options);
}

/** Last non-empty line of a process's stderr, for one-line failure notes. */
export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
