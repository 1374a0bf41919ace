/**
 * Where a server's memory is, thread by thread: the environment that preloads bench/thread-memory.js into
 * a measured server, and the summary of what its threads wrote (peaks, and each thread's share at the
 * moment the process's RSS peaked).
 */
import * as fs from 'fs';
import * as path from 'path';

const PRELOAD = path.join(__dirname, 'thread-memory.js');

interface Sample {
  t: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  malloced: number;
  rss?: number;
  hwm?: number;
}

interface ThreadFile {
  pid: number;
  threadId: number;
  name: string;
  startedAt: number;
  peak: Record<string, number>;
  timeline: Sample[];
}

/** The environment for a server whose threads report their memory into `dir`. */
export function threadMemoryEnv(dir: string): Record<string, string> {
  fs.rmSync(dir, { recursive: true, force: true });
  const inherited = process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ` : '';
  return { NODE_OPTIONS: `${inherited}--require ${PRELOAD}`, VIGIL_BENCH_THREAD_MEMORY: dir };
}

export interface ThreadMemory {
  /** e.g. `main`, `compute 1` */
  thread: string;
  peakHeapMiB: number;
  peakExternalMiB: number;
  /** heap total + external at the sample nearest the process's RSS peak */
  atRssPeakMiB: number;
}

export interface ThreadMemoryReport {
  peakRssMiB: number;
  /** seconds from the server's start to its RSS peak */
  rssPeakAtS: number;
  threads: ThreadMemory[];
}

const SHORT: Record<string, string> = { 'service/worker': 'compute', 'prometheus/query-worker': 'query', 'service/ingest-worker': 'ingest' };

/** The summary of what process `pid`'s threads wrote into `dir`; null when nothing was written. */
export function threadMemoryReport(dir: string, pid: number): ThreadMemoryReport | null {
  if (!fs.existsSync(dir)) return null;
  const files: ThreadFile[] = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${pid}-`))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ThreadFile)
    .sort((a, b) => a.threadId - b.threadId);
  const main = files.find((f) => f.name === 'main');
  if (!main || main.timeline.length === 0) return null;
  const top = main.timeline.reduce((a, b) => ((b.rss ?? 0) > (a.rss ?? 0) ? b : a));
  const peakAt = main.startedAt + top.t;
  const seen = new Map<string, number>();
  const threads = files.map((f): ThreadMemory => {
    const kind = SHORT[f.name] ?? f.name;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    const near = f.timeline.reduce<Sample | null>((a, b) => (a === null || Math.abs(f.startedAt + b.t - peakAt) < Math.abs(f.startedAt + a.t - peakAt) ? b : a), null);
    return {
      thread: kind === 'main' ? kind : `${kind} ${n}`,
      peakHeapMiB: f.peak.heapTotal,
      peakExternalMiB: f.peak.external,
      atRssPeakMiB: near ? near.heapTotal + near.external : 0,
    };
  });
  return { peakRssMiB: main.peak.rss, rssPeakAtS: top.t / 1000, threads };
}

/** One line per thread for the bench's log. */
export function formatThreadMemory(r: ThreadMemoryReport): string {
  const rows = r.threads.map((t) => `${t.thread}: heap ≤ ${t.peakHeapMiB.toFixed(0)}, external ≤ ${t.peakExternalMiB.toFixed(0)}, at the RSS peak ${t.atRssPeakMiB.toFixed(0)} MiB`);
  return [`RSS peak ${r.peakRssMiB.toFixed(0)} MiB at ${r.rssPeakAtS.toFixed(1)} s`, ...rows].join('\n  ');
}
