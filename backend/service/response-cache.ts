/**
 * Serialized query answers, reused while the stored results are unchanged. Dashboards send the same
 * queries over and over (every panel refresh, every viewer); results change only when a recompute or a
 * reference writes them, which bumps the store's results version.
 *
 * An entry holds the answer as it goes on the wire: the UTF-8 bytes and the header list with their
 * length, so a hit is a map lookup and one write (no string encoding, no allocation of the body).
 * An answer that also depends on the clock (`partial` of a period chunk flips when the period ends) is
 * stored with the last instant it holds (`validUntil`); the others only with the results version.
 */

/** Bounds on the cache: entries and total bytes of bodies and keys. */
const MAX_ENTRIES = 1000;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

/** `validUntil` of an answer that only a results change can make stale. */
export const UNTIL_RESULTS_CHANGE = Infinity;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A JSON answer ready to send: `res.writeHead(status, headers); res.end(body)`. */
export interface WireAnswer {
  status: number;
  body: Buffer;
  /** content-type and content-length, as a flat [name, value, ...] list for writeHead */
  headers: string[];
}

/** The wire form of a JSON text (status 200 unless told). */
export function jsonAnswer(text: string | Buffer, status = 200): WireAnswer {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return { status, body, headers: ['content-type', JSON_CONTENT_TYPE, 'content-length', String(body.length)] };
}

interface Entry {
  version: string;
  validUntil: number;
  answer: WireAnswer;
  /** when last served (a counter): the least recently used entry goes first when the cache is full */
  used: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private clock = 0;
  hits = 0;
  misses = 0;

  /** The answer stored for `key` at results version `version`, if still valid at `now` (ms). */
  get(key: string, version: string, now = Date.now()): WireAnswer | null {
    const e = this.entries.get(key);
    if (e === undefined || e.version !== version || now > e.validUntil) {
      this.misses++;
      return null;
    }
    // A hit only stamps the entry: eviction, on the rare insert into a full cache, looks for the oldest.
    e.used = ++this.clock;
    this.hits++;
    return e.answer;
  }

  /** Stores an answer computed at results version `version`, valid up to `validUntil` (ms, inclusive). */
  set(key: string, version: string, answer: WireAnswer, validUntil = UNTIL_RESULTS_CHANGE): void {
    const size = answer.body.length + key.length;
    if (size > MAX_TOTAL_BYTES / 4) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.answer.body.length + key.length;
      this.entries.delete(key);
    }
    this.entries.set(key, { version, validUntil, answer, used: ++this.clock });
    this.bytes += size;
    while (this.entries.size > MAX_ENTRIES || this.bytes > MAX_TOTAL_BYTES) this.evictLeastRecentlyUsed();
  }

  private evictLeastRecentlyUsed(): void {
    let oldestKey = '';
    let oldest: Entry | null = null;
    for (const [k, e] of this.entries) {
      if (oldest === null || e.used < oldest.used) {
        oldestKey = k;
        oldest = e;
      }
    }
    this.entries.delete(oldestKey);
    this.bytes -= oldest!.answer.body.length + oldestKey.length;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A read shared by everything that asks within one turn of the event loop (it is forgotten in the
 * check phase, after the turn's I/O callbacks). For the results version on the query fast paths: each
 * read is a SQLite `PRAGMA data_version` (a WAL read-lock round trip, ~5 µs), and requests read in the
 * same turn arrived together, so one snapshot of the version answers them all. A request sent after the
 * answer to a write was read always lands in a later turn, so it still sees that write.
 */
export function oncePerTurn<T>(read: () => Promise<T>): () => Promise<T> {
  let memo: Promise<T> | null = null;
  const forget = () => {
    memo = null;
  };
  return () => {
    if (memo === null) {
      memo = read();
      setImmediate(forget);
    }
    return memo;
  };
}
