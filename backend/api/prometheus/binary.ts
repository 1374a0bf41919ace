/**
 * Binary operators between instant vectors and scalars, as Prometheus 2.42 evaluates them
 * (promql/engine.go: VectorBinop, VectorAnd/Or/Unless, VectorscalarBinop, resultMetric): one-to-one,
 * many-to-one (`group_left`) and one-to-many (`group_right`) matching with label copying, the set
 * operators, and the matching errors Prometheus raises.
 */
import type { BinaryExpr, BinaryOp, VectorMatching } from './ast';
import { isComparison } from './ast';
import { EvaluationError } from './errors';
import { deleteLabels, dropMetricName, formatLabels, keepLabels, Labels, labelsKey, METRIC_NAME } from './labels';

export interface Sample {
  labels: Labels;
  value: number;
}

/** Prometheus's vectorElemBinop: arithmetic gives (value, true); a comparison gives (lhs, holds). */
export function elementOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '%':
      return [l % r, true];
    case '^':
      return [goPow(l, r), true];
    case 'atan2':
      return [Math.atan2(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
    default:
      throw new EvaluationError(`operator "${op}" not allowed for scalar operations`);
  }
}

/** Go's math.Pow, which differs from JavaScript's on 1^NaN, 1^±Inf and (-1)^±Inf (all 1 in Go). */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

/** Prometheus 2.42's shouldDropMetricName: arithmetic drops the name, but not atan2 (found by the differential suite). */
const DROPS_NAME = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^']);

export function vectorScalar(b: BinaryExpr, vec: Sample[], scalar: number, scalarOnLeft: boolean): Sample[] {
  const out: Sample[] = [];
  for (const s of vec) {
    const [l, r] = scalarOnLeft ? [scalar, s.value] : [s.value, scalar];
    let [value, keep] = elementOp(b.op, l, r);
    // A comparison keeps the vector's value even when the scalar is on the left.
    if (isComparison(b.op) && scalarOnLeft) value = s.value;
    if (b.returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ labels: DROPS_NAME.has(b.op) || b.returnBool ? dropMetricName(s.labels) : s.labels, value });
  }
  return out;
}

function signatureFn(m: VectorMatching): (l: Labels) => string {
  if (m.on) return (l) => labelsKey(keepLabels(l, m.labels));
  const names = [...m.labels, METRIC_NAME];
  return (l) => labelsKey(deleteLabels(l, names));
}

/** Set operators: labels (name included) of the left side, or of both for `or`. */
function setOp(b: BinaryExpr, lhs: Sample[], rhs: Sample[]): Sample[] {
  const sig = signatureFn(b.matching!);
  switch (b.op) {
    case 'and': {
      if (lhs.length === 0 || rhs.length === 0) return [];
      const right = new Set(rhs.map((s) => sig(s.labels)));
      return lhs.filter((s) => right.has(sig(s.labels)));
    }
    case 'or': {
      if (lhs.length === 0) return rhs;
      if (rhs.length === 0) return lhs;
      const left = new Set(lhs.map((s) => sig(s.labels)));
      return [...lhs, ...rhs.filter((s) => !left.has(sig(s.labels)))];
    }
    default: {
      if (lhs.length === 0 || rhs.length === 0) return lhs;
      const right = new Set(rhs.map((s) => sig(s.labels)));
      return lhs.filter((s) => !right.has(sig(s.labels)));
    }
  }
}

/** Prometheus's resultMetric: the "many" side's labels, matching applied, `group_x` labels from the "one" side. */
function resultMetric(many: Labels, one: Labels, b: BinaryExpr): Labels {
  const m = b.matching!;
  let labels = DROPS_NAME.has(b.op) ? dropMetricName(many) : many;
  if (m.card === 'one-to-one') labels = m.on ? keepLabels(labels, m.labels) : deleteLabels(labels, m.labels);
  if (m.include.length > 0) {
    const copy: Record<string, string> = { ...labels };
    for (const name of m.include) {
      const v = one[name];
      if (v !== undefined && v !== '') copy[name] = v;
      else delete copy[name];
    }
    labels = copy;
  }
  return labels;
}

export function vectorVector(b: BinaryExpr, lhs: Sample[], rhs: Sample[]): Sample[] {
  const m = b.matching!;
  if (m.card === 'many-to-many') return setOp(b, lhs, rhs);
  // Nothing can match: Prometheus returns before looking for duplicate match groups.
  if (lhs.length === 0 || rhs.length === 0) return [];
  const swapped = m.card === 'one-to-many';
  const [many, one] = swapped ? [rhs, lhs] : [lhs, rhs];
  const sig = signatureFn(m);
  const oneSide = new Map<string, Sample>();
  for (const rs of one) {
    const s = sig(rs.labels);
    const dup = oneSide.get(s);
    if (dup) {
      const group = m.on ? keepLabels(rs.labels, m.labels) : deleteLabels(rs.labels, [...m.labels, METRIC_NAME]);
      throw new EvaluationError(
        `found duplicate series for the match group ${formatLabels(group)} on the ${swapped ? 'left' : 'right'} hand-side of the operation: ` +
          `[${formatLabels(rs.labels)}, ${formatLabels(dup.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    oneSide.set(s, rs);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  for (const ls of many) {
    const s = sig(ls.labels);
    const rs = oneSide.get(s);
    if (!rs) continue;
    const [vl, vr] = swapped ? [rs.value, ls.value] : [ls.value, rs.value];
    let [value, keep] = elementOp(b.op, vl, vr);
    if (b.returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    let labels = resultMetric(ls.labels, rs.labels, b);
    if (b.returnBool) labels = dropMetricName(labels);
    const inserted = matched.get(s);
    if (m.card === 'one-to-one') {
      if (matched.has(s)) throw new EvaluationError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matched.set(s, null);
    } else {
      const key = labelsKey(labels);
      if (inserted === undefined) matched.set(s, new Set([key]));
      else if (inserted!.has(key)) throw new EvaluationError('multiple matches for labels: grouping labels must ensure unique matches');
      else inserted!.add(key);
    }
    out.push({ labels, value });
  }
  return out;
}
