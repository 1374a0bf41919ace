'use strict';
/**
 * Preloaded into a measured server (NODE_OPTIONS=--require, so it also runs in every worker thread) when
 * VIGIL_BENCH_THREAD_MEMORY names a folder: each thread samples its own V8 heap (used, total), the
 * external memory its isolate accounts for (typed-array buffers, Buffers) and malloc'd memory every
 * SAMPLE_MS, and the main thread also the process's VmRSS and VmHWM (/proc/self/status). Each thread
 * rewrites its own file `<pid>-<threadId>.json` with its peaks and a timeline of samples, so the
 * bench can tell which thread holds the memory at the process's peak (bench/many-models.ts). Threads
 * are named by their entry script (compute `service/worker.js`, `query-worker.js`, `ingest-worker.js`).
 * The server's code runs unchanged.
 */
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const wt = require('worker_threads');

const dir = process.env.VIGIL_BENCH_THREAD_MEMORY;
const SAMPLE_MS = 250;
/** The file is rewritten every WRITE_EVERY samples (its writes are garbage in the thread measured). */
const WRITE_EVERY = 4;
const MIB = 1048576;

function threadName() {
  if (wt.isMainThread) return 'main';
  // A worker's process.argv[1] is its entry script.
  const entry = process.argv[1];
  if (!entry) return `thread ${wt.threadId}`;
  const parts = entry.split(path.sep);
  return parts.slice(-2).join('/').replace(/\.js$/, '');
}

function procStatus() {
  try {
    const text = fs.readFileSync('/proc/self/status', 'utf8');
    const kib = (key) => Number((text.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm')) || [])[1]) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

if (dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}-${wt.threadId}.json`);
  const t0 = Date.now();
  const peak = { heapUsed: 0, heapTotal: 0, external: 0, malloced: 0, rss: 0 };
  const timeline = [];
  const sample = () => {
    const h = v8.getHeapStatistics();
    const s = {
      t: Date.now() - t0,
      heapUsed: h.used_heap_size / MIB,
      heapTotal: h.total_heap_size / MIB,
      external: h.external_memory / MIB,
      malloced: h.malloced_memory / MIB,
    };
    if (wt.isMainThread) {
      const st = procStatus();
      if (st) ((s.rss = st.rss / MIB), (s.hwm = st.hwm / MIB));
    }
    for (const k of Object.keys(peak)) if (s[k] !== undefined && s[k] > peak[k]) peak[k] = s[k];
    timeline.push(s);
    if (timeline.length % WRITE_EVERY !== 1) return;
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, threadId: wt.threadId, name: threadName(), startedAt: t0, peak, timeline }));
    } catch {
      // the folder went away: the bench has finished with it
    }
  };
  setInterval(sample, SAMPLE_MS).unref();
}
