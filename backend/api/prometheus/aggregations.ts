/**
 * PromQL aggregations as Prometheus 2.42 computes them (promql/engine.go, `aggregation`): groups in order
 * of first appearance, the incremental mean of avg, Welford's stddev/stdvar, topk/bottomk through Go's
 * container/heap (so which of equal values is kept is Prometheus's choice too), quantile by
 * interpolation, count_values with Go's float formatting.
 */
import type { AggregateExpr } from './ast';
import { EvaluationError } from './errors';
import { byValueNaNFirst, formatFloatF, LABEL_NAME_RE, quantile } from './functions';
import { deleteLabels, keepLabels, Labels, labelsKey, METRIC_NAME } from './labels';

export interface Sample {
  labels: Labels;
  value: number;
}

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  heap: Sample[];
}

const isInfinite = (x: number) => x === Infinity || x === -Infinity;

/** Go's heap order for topk (a min-heap, NaN smallest) and bottomk (a max-heap, NaN "largest"). */
type Less = (a: Sample, b: Sample) => boolean;
const topkLess: Less = (a, b) => Number.isNaN(a.value) || a.value < b.value;
const bottomkLess: Less = (a, b) => Number.isNaN(a.value) || a.value > b.value;

/** container/heap's up, down, Push and Pop, exactly, so ties resolve as in Prometheus. */
function heapUp(h: Sample[], j: number, less: Less) {
  for (;;) {
    const i = ((j - 1) / 2) | 0;
    if (i === j || !less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    j = i;
  }
}
function heapDown(h: Sample[], i0: number, n: number, less: Less) {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    i = j;
  }
}
function heapPush(h: Sample[], s: Sample, less: Less) {
  h.push(s);
  heapUp(h, h.length - 1, less);
}
function heapPop(h: Sample[], less: Less) {
  const n = h.length - 1;
  [h[0], h[n]] = [h[n], h[0]];
  heapDown(h, 0, n, less);
  h.pop();
}

/** The int64 Go converts a float to, or an error as Prometheus gives for values that overflow. */
function toInt64(f: number): number {
  if (!(f >= -9.223372036854776e18 && f <= 9.223372036854776e18)) throw new EvaluationError(`Scalar value ${goFloatG(f)} overflows int64`);
  return Math.trunc(f);
}

function goFloatG(f: number): string {
  return Number.isNaN(f) ? 'NaN' : isInfinite(f) ? (f > 0 ? '+Inf' : '-Inf') : String(f);
}

/**
 * One step of an aggregation over `vec`. `param` is the evaluated parameter (a number for topk, bottomk and
 * quantile, a string for count_values).
 */
export function aggregate(a: AggregateExpr, vec: Sample[], param: number | string | null): Sample[] {
  const op = a.op;
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    k = toInt64(param as number);
    if (k < 1) return [];
  }
  let grouping = a.grouping;
  let valueLabel = '';
  if (op === 'count_values') {
    valueLabel = param as string;
    if (!LABEL_NAME_RE.test(valueLabel)) throw new EvaluationError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!a.without) grouping = [...grouping, valueLabel];
  }
  const less = op === 'bottomk' ? bottomkLess : topkLess;
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  // One list for every sample: derived label sets are memoised per list (labels.ts).
  const dropped = a.without ? [...grouping, METRIC_NAME] : grouping;
  for (const s of vec) {
    let metric = s.labels;
    if (op === 'count_values') metric = { ...metric, [valueLabel]: formatFloatF(s.value) };
    const labels = a.without ? deleteLabels(metric, dropped) : keepLabels(metric, grouping);
    const key = labelsKey(labels);
    const g = groups.get(key);
    if (!g) {
      const ng: Group = { labels, value: s.value, mean: s.value, count: 1, heap: [] };
      if (op === 'stddev' || op === 'stdvar') ng.value = 0;
      else if (op === 'group') ng.value = 1;
      else if (op === 'topk' || op === 'bottomk' || op === 'quantile') ng.heap.push(s);
      groups.set(key, ng);
      ordered.push(ng);
      continue;
    }
    switch (op) {
      case 'sum':
        g.value += s.value;
        break;
      case 'avg':
        g.count++;
        if (isInfinite(g.mean) && ((isInfinite(s.value) && g.mean > 0 === s.value > 0) || (!isInfinite(s.value) && !Number.isNaN(s.value)))) break;
        // Both terms divided by the count, so large values do not overflow.
        g.mean += s.value / g.count - g.mean / g.count;
        break;
      case 'max':
        if (g.value < s.value || Number.isNaN(g.value)) g.value = s.value;
        break;
      case 'min':
        if (g.value > s.value || Number.isNaN(g.value)) g.value = s.value;
        break;
      case 'count':
      case 'count_values':
        g.count++;
        break;
      case 'stddev':
      case 'stdvar': {
        g.count++;
        const delta = s.value - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (s.value - g.mean);
        break;
      }
      case 'topk':
      case 'bottomk':
        if (g.heap.length < k || (op === 'topk' ? g.heap[0].value < s.value : g.heap[0].value > s.value) || Number.isNaN(g.heap[0].value)) {
          if (g.heap.length === k) {
            if (k === 1) {
              g.heap[0] = s;
              break;
            }
            heapPop(g.heap, less);
          }
          heapPush(g.heap, s, less);
        }
        break;
      case 'quantile':
        g.heap.push(s);
        break;
      case 'group':
        break;
    }
  }
  const out: Sample[] = [];
  for (const g of ordered) {
    switch (op) {
      case 'avg':
        out.push({ labels: g.labels, value: g.mean });
        break;
      case 'count':
      case 'count_values':
        out.push({ labels: g.labels, value: g.count });
        break;
      case 'stdvar':
        out.push({ labels: g.labels, value: g.value / g.count });
        break;
      case 'stddev':
        out.push({ labels: g.labels, value: Math.sqrt(g.value / g.count) });
        break;
      case 'topk':
      case 'bottomk': {
        // Largest first for topk, smallest first for bottomk (the order of an instant answer).
        const sorted = [...g.heap].sort((x, y) => (op === 'topk' ? byValueNaNFirst(y.value, x.value) : byValueNaNFirst(x.value, y.value)));
        for (const s of sorted) out.push({ labels: s.labels, value: s.value });
        break;
      }
      case 'quantile':
        out.push({ labels: g.labels, value: quantile(param as number, g.heap.map((s) => s.value)) });
        break;
      default:
        out.push({ labels: g.labels, value: g.value });
    }
  }
  return out;
}
