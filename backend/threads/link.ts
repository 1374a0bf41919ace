/**
 * A two-way message link between the main thread and one worker that either side can read
 * synchronously, for threads that never return to their event loop while they work: `vigil run`
 * (batch/) keeps each thread busy computing and only looks for messages between calculators (is the
 * analysis read yet?) or blocks until one comes; an event-loop listener would only see a message once
 * the thread is idle. Messages go through a MessagePort (structured clone, shared
 * memory stays shared) and are read with `receiveMessageOnPort`; each side has a counter on shared memory
 * that the sender bumps and the receiver waits on with `Atomics.wait`.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort } from 'worker_threads';

/** How long a blocked receiver sleeps before it checks again that its peer is still running. */
const WAIT_SLICE_MS = 50;

export interface LinkEnd {
  port: MessagePort;
  /** bumped by the peer after each message it sends to this end */
  inbox: Int32Array;
  /** bumped by this end after each message it sends */
  outbox: Int32Array;
  /** [0] = 1 once the worker has exited (set by the worker on exit) */
  exited: Int32Array;
}

export function counter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** The two ends of a new link: the first for the main thread, the second to transfer to the worker. */
export function linkPair(): [LinkEnd, LinkEnd] {
  const { port1, port2 } = new MessageChannel();
  const toMain = counter();
  const toWorker = counter();
  const exited = counter();
  return [
    { port: port1, inbox: toMain, outbox: toWorker, exited },
    { port: port2, inbox: toWorker, outbox: toMain, exited },
  ];
}

export class Link<In, Out> {
  constructor(
    readonly end: LinkEnd,
    /** what to say when the peer is gone while this end waits for it (null: the peer is the main thread) */
    private readonly peerGone: string | null,
  ) {}

  send(message: Out): void {
    this.end.port.postMessage(message);
    Atomics.add(this.end.outbox, 0, 1);
    Atomics.notify(this.end.outbox, 0);
  }

  /** The next message if one has arrived, else undefined (never waits). */
  poll(): In | undefined {
    const m = receiveMessageOnPort(this.end.port);
    return m === undefined ? undefined : (m.message as In);
  }

  /** The next message, waiting for it. Throws when the worker exits before sending one. */
  take(): In {
    for (;;) {
      const seen = Atomics.load(this.end.inbox, 0);
      const m = this.poll();
      if (m !== undefined) return m;
      if (this.peerGone !== null && Atomics.load(this.end.exited, 0) === 1) {
        const last = this.poll(); // sent just before it exited
        if (last !== undefined) return last;
        throw new Error(this.peerGone);
      }
      Atomics.wait(this.end.inbox, 0, seen, WAIT_SLICE_MS);
    }
  }
}

/** The worker's side: marks its end exited when the thread ends, and wakes a peer blocked in take(). */
export function announceExit(end: LinkEnd): void {
  process.on('exit', () => {
    Atomics.store(end.exited, 0, 1);
    Atomics.notify(end.outbox, 0);
  });
}
