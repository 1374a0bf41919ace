/**
 * The calling thread's scheduling priority and name, on Linux. The server's compute threads do background
 * work whose lag is allowed, while ingest and the query thread answer requests: lowering the compute
 * threads' priority lets the others win the CPU when they compete, and leaves compute every cycle they
 * do not use. The query thread answers alert rules, which come in bursts (Grafana evaluates a group's
 * rules together): raised above the rest of the server, it is not left waiting behind ingest, its
 * threads' garbage collection and the busy main thread when the cores are full. Linux schedules threads one by one, and setpriority(PRIO_PROCESS, tid) changes one thread
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

/** A thread's id and its nice value after lowerThisThread. */
export interface ThreadPriority {
  tid: number;
  nice: number;
}

/**
 * Lowers the calling thread's priority by `steps` nice levels from where it is (so a server started with
 * `nice` keeps its compute threads below its own level), to at most 19. Null where threads cannot be told
 * apart (not Linux); with steps 0 the thread is left as it is. Raising a nice value needs no privilege.
 */
export async function lowerThisThread(steps: number): Promise<ThreadPriority | null> {
  const tid = kernelThreadId();
  if (tid === null) return null;
  await threadPoolStarted();
  const now = os.getPriority(tid);
  if (steps === 0) return { tid, nice: now };
  const nice = Math.min(19, now + steps);
  os.setPriority(tid, nice);
  return { tid, nice };
}

/** A thread's priority after raiseThisThread: `denied` when the system refused the raise (it stays where it was). */
export interface RaisedPriority extends ThreadPriority {
  denied: boolean;
}

/**
 * Raises the calling thread's priority by `steps` nice levels from where it is, to at least -20. A lower
 * nice value than the process's needs CAP_SYS_NICE (root, or `--cap-add SYS_NICE` in a container) or a
 * matching RLIMIT_NICE: without it the thread is left as it is and `denied` is true. Null where threads
 * cannot be told apart (not Linux).
 */
export async function raiseThisThread(steps: number): Promise<RaisedPriority | null> {
  const tid = kernelThreadId();
  if (tid === null) return null;
  await threadPoolStarted();
  const now = os.getPriority(tid);
  const nice = Math.max(-20, now - steps);
  if (nice === now) return { tid, nice, denied: false };
  try {
    os.setPriority(tid, nice);
  } catch (e) {
    const code = (e as { info?: { code?: string } }).info?.code;
    if (code === 'EACCES' || code === 'EPERM') return { tid, nice: now, denied: true };
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
