/**
 * The calling thread's scheduling priority and name, on Linux. The server's compute threads do background
 * work whose lag is allowed, while ingest and the query thread answer requests: lowering the compute
 * threads' priority lets the others win the CPU when they compete, and leaves compute every cycle they
 * do not use. The main thread (every request) and the query thread (every PromQL query) answer alert
 * rules, which come in bursts (Grafana evaluates a group's rules together): raised above the rest of
 * the server, they are not left waiting behind ingest and V8's collector threads when the cores are
 * full. Linux schedules threads one by one, and setpriority(PRIO_PROCESS, tid) changes one thread
 * (Node's os.setPriority calls it with the id it is given). Elsewhere a thread has no id of its own to
 * give it (os.setPriority would change the whole process), so there these functions change nothing.
 */
import * as fs from 'fs';
import * as os from 'os';

/** The kernel's id of the calling thread (Linux: /proc/thread-self is 'PID/task/TID'), or null where there is none. */
export function kernelThreadId(): number | null {
  try {
    const m = /^\d+\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** A thread's id and nice value after setThisThreadLevel; `denied` when the system refused a raise (it stays where it was). */
export interface ThreadPriority {
  tid: number;
  nice: number;
  denied: boolean;
}

/**
 * Where the server's own level is kept for its threads: the nice value the process started at, before the
 * main thread raised itself (raiseMainThread). Threads started later inherit the main thread's raised
 * level, so each sets its own from this one (setThisThreadLevel). Worker threads get a copy of the
 * environment when they start.
 */
const SERVER_NICE_ENV = 'VIGIL_SERVER_NICE';

/**
 * Puts the calling thread `offset` nice levels from the server's level (positive: below it; negative:
 * above it), within -20..19: compute threads at +VIGIL_COMPUTE_NICE, ingest threads at 0, the query
 * thread at -VIGIL_QUERY_PRIORITY. A server started with `nice` keeps this order around its own level.
 * A nice value below the one the thread has needs CAP_SYS_NICE (root, or `--cap-add SYS_NICE` in a
 * container) or a matching RLIMIT_NICE: without it the thread stays where it is and `denied` is true.
 * Null where threads cannot be told apart (not Linux).
 */
export async function setThisThreadLevel(offset: number): Promise<ThreadPriority | null> {
  const tid = kernelThreadId();
  if (tid === null) return null;
  await threadPoolStarted();
  const now = os.getPriority(tid);
  const recorded = Number(process.env[SERVER_NICE_ENV]);
  // Without a recorded level (a server started in process, as the tests do) the thread's own is the server's.
  const base = process.env[SERVER_NICE_ENV] !== undefined && Number.isInteger(recorded) ? recorded : now;
  const nice = Math.max(-20, Math.min(19, base + offset));
  return setLevel(tid, now, nice);
}

/**
 * Records the server's level for the threads it will start, then raises the calling (main) thread by
 * `steps` nice levels: it takes every request and hands queries to the query thread, and a busy machine
 * left it waiting behind the ingest threads and V8's collector threads. Called by `vigil serve` and `vigil
 * demo` before the server starts its threads; never by a server started in process.
 */
export async function raiseMainThread(steps: number): Promise<ThreadPriority | null> {
  const tid = kernelThreadId();
  if (tid === null) return null;
  await threadPoolStarted();
  const now = os.getPriority(tid);
  process.env[SERVER_NICE_ENV] = String(now);
  return setLevel(tid, now, Math.max(-20, now - steps));
}

function setLevel(tid: number, now: number, nice: number): ThreadPriority {
  if (nice === now) return { tid, nice, denied: false };
  try {
    os.setPriority(tid, nice);
  } catch (e) {
    const code = (e as { info?: { code?: string } }).info?.code;
    if (nice < now && (code === 'EACCES' || code === 'EPERM')) return { tid, nice: now, denied: true };
    throw e;
  }
  return { tid, nice, denied: false };
}

/** Names the calling thread as `top -H` and /proc/PID/task/TID/comm show it (Linux, 15 characters). */
export async function nameThisThread(name: string): Promise<void> {
  try {
    await threadPoolStarted();
    fs.writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // not Linux: the thread keeps the process's name
  }
}

/**
 * libuv's thread pool (async fs, crypto, zlib, for every thread of the process) is started by the first
 * thread that queues work into it, and new threads inherit the name and nice value of the thread that
 * starts them: queue one operation before renaming or lowering this thread, so that the pool is started
 * (by this thread or an earlier one) with the process's own.
 */
function threadPoolStarted(): Promise<void> {
  return fs.promises.access('/proc/thread-self');
}
