/**
 * Downsampling a series of chunks to the points a panel can draw (`maxDataPoints`, `intervalMs` of
 * `POST /api/query`; docs/query-api.md "Points per panel").
 *
 * The rule, chosen so that an alert is never hidden by a zoomed-out panel:
 * 1. The series' time span is cut into buckets of equal width: `span / maxDataPoints`, widened to
 *    `intervalMs` when that is larger (Grafana's interval between two points of the panel).
 * 2. A bucket holding an alerting chunk keeps every alerting chunk it holds, and nothing else.
 * 3. Any other bucket keeps one chunk: the one that deviates most (furthest above its upper or below its
 *    lower threshold, or nearest to crossing one; without thresholds, furthest from the bucket's mean);
 *    on a tie, the earliest.
 * 4. The last chunk of the series is always kept (the current state, and the open chunk the plugin
 *    draws dashed), in place of its bucket's pick unless that pick alerts.
 * So a series has at most maxDataPoints points, plus the alerting chunks that share a bucket with another
 * alerting chunk. Points are real chunks with their own time, values and thresholds: nothing is averaged.
 * Chunks without a time (size chunks of data without a timestamp) are bucketed by position instead.
 */

export interface PanelSize {
  /** Points the panel can draw (Grafana's maxDataPoints); null: no limit. */
  maxDataPoints: number | null;
  /** Grafana's interval between points, ms; null: none. */
  intervalMs: number | null;
}

export interface Sampled {
  time: number | null;
  value: number | null;
  upper: number | null;
  lower: number | null;
  /** The alert as the read paths report it (open chunks included). */
  alerting: boolean;
}

/** How far a chunk is outside its band (positive) or inside it (negative); null when it has no threshold. */
function margin(s: Sampled): number | null {
  if (s.value === null || !Number.isFinite(s.value)) return null;
  let m: number | null = null;
  if (s.upper !== null && Number.isFinite(s.upper)) m = s.value - s.upper;
  if (s.lower !== null && Number.isFinite(s.lower)) m = Math.max(m ?? -Infinity, s.lower - s.value);
  return m;
}

function pickDeviating(bucket: Sampled[], members: number[]): number {
  const finite = members.filter((i) => bucket[i].value !== null && Number.isFinite(bucket[i].value!));
  if (finite.length === 0) return members[0];
  const margins = finite.map((i) => margin(bucket[i]));
  let score: (k: number) => number;
  if (margins.every((m) => m !== null)) score = (k) => margins[k]!;
  else {
    const mean = finite.reduce((a, i) => a + bucket[i].value!, 0) / finite.length;
    score = (k) => Math.abs(bucket[finite[k]].value! - mean);
  }
  let best = 0;
  for (let k = 1; k < finite.length; k++) if (score(k) > score(best)) best = k;
  return finite[best];
}

/**
 * The indices (ascending) of the chunks to keep from `points` (ordered by time). All of them when the
 * series fits the panel.
 */
export function downsampleIndices(points: Sampled[], size: PanelSize): number[] {
  const n = points.length;
  const all = () => points.map((_, i) => i);
  const maxPoints = size.maxDataPoints ?? Infinity;
  const interval = size.intervalMs ?? 0;
  if (n <= 1 || (n <= maxPoints && interval <= 0)) return all();
  const timed = points.every((p) => p.time !== null && Number.isFinite(p.time));
  let bucketOf: (i: number) => number;
  if (timed) {
    const t0 = points[0].time!;
    const span = points[n - 1].time! - t0;
    const width = Math.max(Number.isFinite(maxPoints) ? span / maxPoints : 0, interval);
    if (width <= 0) return all();
    // The last bucket is closed on the right: the newest chunk falls in bucket maxPoints - 1, not a new one.
    const last = Number.isFinite(maxPoints) ? maxPoints - 1 : Infinity;
    bucketOf = (i) => Math.min(Math.floor((points[i].time! - t0) / width), last);
  } else {
    if (n <= maxPoints) return all();
    bucketOf = (i) => Math.floor((i * maxPoints) / n);
  }
  const keep: number[] = [];
  let start = 0;
  while (start < n) {
    const b = bucketOf(start);
    let end = start + 1;
    while (end < n && bucketOf(end) === b) end++;
    const members = Array.from({ length: end - start }, (_, k) => start + k);
    const alerting = members.filter((i) => points[i].alerting);
    if (alerting.length > 0) {
      keep.push(...alerting);
      if (end === n && alerting[alerting.length - 1] !== n - 1) keep.push(n - 1);
    } else keep.push(end === n ? n - 1 : pickDeviating(points, members));
    start = end;
  }
  return keep;
}
