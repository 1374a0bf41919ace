/**
 * The lag estimate behind VIGIL_MAX_LAG: chunks waiting × seconds per chunk ÷ threads, the pool's pace for
 * a model with few chunks measured, its own once OWN_PACE_CHUNKS were after its first (warm-up) recompute.
 */
import { BacklogLag, DEFAULT_SECONDS_PER_CHUNK, OWN_PACE_CHUNKS } from './backlog-lag';

describe('BacklogLag', () => {
  it('uses the default pace before any recompute, divided by the threads', () => {
    const lag = new BacklogLag();
    lag.setPending('a', 10);
    lag.setPending('b', 30);
    expect(lag.totalPending()).toBe(40);
    expect(lag.estimateSeconds(2)).toBeCloseTo((40 * DEFAULT_SECONDS_PER_CHUNK) / 2, 12);
  });

  it("uses the pool's pace for a model until OWN_PACE_CHUNKS of its chunks were measured after its first recompute, then its own", () => {
    const lag = new BacklogLag();
    // Model a: a slow first recompute (warm-up), then 1 s per chunk over 20 chunks (its own pace).
    lag.noteRecompute('a', 50, 1);
    lag.noteRecompute('a', 20, 20);
    // b: a warm-up and 4 chunks at 0.1 s: the pool's pace applies.
    lag.noteRecompute('b', 3, 1);
    lag.noteRecompute('b', 0.4, 4);
    lag.setPending('a', 2);
    lag.setPending('b', 10);
    // the pool's running mean of every recompute, each weighing (its chunks)/20
    let pool = 50;
    for (const [s, c] of [[20, 20], [3, 1], [0.4, 4]]) pool += Math.min(1, c / 20) * (s / c - pool);
    expect(lag.estimateSeconds(1)).toBeCloseTo(2 * 1 + 10 * pool, 12);
    // b measured on OWN_PACE_CHUNKS chunks after its warm-up: its own pace from then on.
    lag.noteRecompute('b', 0.1 * (OWN_PACE_CHUNKS - 4), OWN_PACE_CHUNKS - 4);
    expect(lag.estimateSeconds(1)).toBeCloseTo(2 * 1 + 10 * 0.1, 12);
  });

  it('counts nothing for a model without waiting chunks, or forgotten', () => {
    const lag = new BacklogLag();
    lag.noteRecompute('a', 1, 20);
    lag.setPending('a', 0);
    lag.setPending('b', 5);
    expect(lag.estimateSeconds(1)).toBeCloseTo(5 * 0.05, 12);
    lag.forget('b');
    expect(lag.estimateSeconds(1)).toBe(0);
    expect(lag.totalPending()).toBe(0);
  });
});
