/**
 * One worker thread as both `vigil run` (batch/) and the server's compute pool (service/compute-pool.ts)
 * start, watch and stop it: a failure (an uncaught error, or an exit nobody asked for) is reported once,
 * never as an unhandled 'error' event that would end the process; a thread stopped on purpose is not a
 * failure. For asynchronous peers it also carries requests: `request` posts a message with an id and
 * settles when the thread answers `{ type: 'reply', id }` (serveRequests is the thread's side), or
 * rejects when the thread fails. Synchronous peers talk through a Link instead (link.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { MessagePort, parentPort, ResourceLimits, Transferable, Worker } from 'worker_threads';
import { SerializedError, serializeError } from './errors';

/** The compiled worker entry `file` next to the module in `dir`, or null when absent (running from TypeScript sources). */
export function compiledWorker(dir: string, file = 'worker.js'): string | null {
  const entry = path.join(dir, file);
  return fs.existsSync(entry) ? entry : null;
}

/** A thread's answer to a request. */
export interface Reply {
  type: 'reply';
  id: number;
  value?: unknown;
  error?: SerializedError;
}

export interface ThreadOptions {
  /** for messages: `compute worker 2` */
  name: string;
  workerData: unknown;
  transferList?: readonly Transferable[];
  /** Called once when the thread fails (not when stopped by stop()). */
  onFailure?: (e: Error) => void;
  /** Messages other than replies. */
  onMessage?: (message: any) => void;
  /** Rebuilds a request's error (default: a plain Error with its message). */
  reviveError?: (e: SerializedError) => Error;
  /** V8 heap limits of the thread (threads/heap-limit.ts); absent: V8's defaults. */
  resourceLimits?: ResourceLimits;
}

export class Thread {
  readonly worker: Worker;
  /** Why the thread stopped working, once it has. */
  failed: Error | null = null;
  private stopping = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  constructor(file: string, private readonly opts: ThreadOptions) {
    this.worker = new Worker(file, { workerData: opts.workerData, transferList: opts.transferList as Transferable[] | undefined, resourceLimits: opts.resourceLimits });
    this.worker.on('message', (m: { type?: string; id?: number }) => {
      if (m?.type === 'reply' && typeof m.id === 'number') this.settle(m as Reply);
      else opts.onMessage?.(m);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`${opts.name} exited with code ${code}`));
      else if (this.waiting.size > 0) this.fail(new Error(`${opts.name} ended with ${this.waiting.size} request(s) unanswered`));
    });
  }

  /** Posts `message` with a fresh id; resolves with the thread's reply value. */
  request<T>(message: object): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** Posts a message that gets no reply (dropped once the thread has failed). */
  post(message: unknown): void {
    if (!this.failed) this.worker.postMessage(message);
  }

  /** Ends the thread; not reported as a failure. Requests still waiting are rejected. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
    for (const w of this.waiting.values()) w.reject(new Error(`${this.opts.name} stopped`));
    this.waiting.clear();
  }

  private settle(r: Reply): void {
    const w = this.waiting.get(r.id);
    if (!w) return;
    this.waiting.delete(r.id);
    if (r.error) w.reject(this.opts.reviveError ? this.opts.reviveError(r.error) : new Error(r.error.message));
    else w.resolve(r.value);
  }

  private fail(e: Error): void {
    if (this.failed || this.stopping) return;
    this.failed = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    this.opts.onFailure?.(e);
  }
}

/**
 * The thread's side of `Thread.request`: each message goes to `handle`; a message with an id is answered
 * with handle's value or its error (serialized, rebuilt by the requester). An error of a message without
 * an id goes to `unanswered`.
 */
export function serveRequests<M extends { type: string }>(
  handle: (m: M) => unknown | Promise<unknown>,
  unanswered: (m: M, e: SerializedError) => void,
  port: MessagePort = parentPort!,
): void {
  port.on('message', (m: M & { id?: number }) => {
    let result: unknown;
    try {
      // Called at once, in arrival order: a message's synchronous part runs before the next one's.
      result = handle(m);
    } catch (e) {
      result = Promise.reject(e);
    }
    Promise.resolve(result).then(
        (value) => {
          if (typeof m.id === 'number') port.postMessage({ type: 'reply', id: m.id, value } satisfies Reply);
        },
        (e: unknown) => {
          if (typeof m.id === 'number') port.postMessage({ type: 'reply', id: m.id, error: serializeError(e) } satisfies Reply);
          else unanswered(m, serializeError(e));
        },
      );
  });
}
