/**
 * Serialized query responses, reused while the stored results are unchanged. Dashboards send the same
 * queries over and over (every panel refresh, every viewer); results change only when a recompute or a
 * reference writes them, which bumps the store's results version. Entries also expire after a short TTL
 * because `partial` depends on the clock (a period that ends stops being partial without any write).
 */

/** How long an entry may be served without a results change: bounds the staleness of `partial`. */
export const RESPONSE_TTL_MS = 1000;
/** Bounds on the cache: entries and total characters (≈ bytes for JSON). */
const MAX_ENTRIES = 1000;
const MAX_TOTAL_CHARS = 64 * 1024 * 1024;

interface Entry {
  version: string;
  at: number;
  body: string;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  hits = 0;
  misses = 0;

  get(key: string, version: string, now = Date.now()): string | null {
    const e = this.entries.get(key);
    if (!e || e.version !== version || now - e.at > RESPONSE_TTL_MS) {
      this.misses++;
      return null;
    }
    // Most recently used last (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.body;
  }

  set(key: string, version: string, body: string, now = Date.now()): void {
    if (body.length > MAX_TOTAL_CHARS / 4) return;
    const old = this.entries.get(key);
    if (old) {
      this.chars -= old.body.length + key.length;
      this.entries.delete(key);
    }
    this.entries.set(key, { version, at: now, body });
    this.chars += body.length + key.length;
    while (this.entries.size > MAX_ENTRIES || this.chars > MAX_TOTAL_CHARS) {
      const [k, e] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(k);
      this.chars -= e.body.length + k.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
