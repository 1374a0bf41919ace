/**
 * A trained GBDT as plain data (JSON-serialisable, so the server can store it), and prediction on raw
 * feature values with LightGBM's decision rules:
 *
 * - numeric node: `value ≤ threshold` goes left; NaN goes the learned default direction when the feature
 *   had NaN in training, otherwise it is read as 0 (LightGBM's NumericalDecision);
 * - categorical node: the value's integer code in the node's set goes left; NaN, negative and unseen codes
 *   go right (CategoricalDecision).
 */
import type { MissingType } from './binning';
import type { Objective } from './params';

/**
 * Math functions as local bindings: under jest (vm contexts) every lookup of the global `Math` goes
 * through the sandbox's interceptors, which made the hot loops five times slower.
 */
const { exp, trunc } = Math;

export type FeatureKind = 'numeric' | 'categorical';

export interface ModelFeature {
  name: string;
  kind: FeatureKind;
  missingType: MissingType;
}

/** Node decision flags. */
export const DECISION_CATEGORICAL = 1;
export const DECISION_DEFAULT_LEFT = 2;
export const DECISION_MISSING_NAN = 4;

/**
 * One tree. Internal nodes are 0..n-2 (node 0 is the root); a child index < 0 is the leaf `~child`.
 * A tree without internal nodes is the constant `leafValue[0]`.
 */
export interface TreeModel {
  splitFeature: number[];
  /** numeric nodes: the threshold value; categorical nodes: index into `catSets` */
  threshold: number[];
  decision: number[];
  left: number[];
  right: number[];
  /** category codes that go left, per categorical node */
  catSets: number[][];
  leafValue: number[];
}

export interface GbdtModel {
  objective: Objective;
  /** Added to every raw score (LightGBM's boost_from_average start). */
  initScore: number;
  features: ModelFeature[];
  trees: TreeModel[];
}

/** Compiled node kinds: numeric with NaN going right / left, categorical. */
const NUMERIC_NAN_RIGHT = 0;
const NUMERIC_NAN_LEFT = 1;
const CATEGORICAL = 2;

interface CompiledTree {
  feature: Int32Array;
  threshold: Float64Array;
  kind: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  catBits: Uint32Array[];
  leafValue: Float64Array;
}

function compileTree(t: TreeModel): CompiledTree {
  return {
    feature: Int32Array.from(t.splitFeature),
    threshold: Float64Array.from(t.threshold),
    kind: Uint8Array.from(t.decision, (d, i) => {
      if (d & DECISION_CATEGORICAL) return CATEGORICAL;
      // LightGBM: NaN takes the default direction if the feature had NaN in training, else it is read as 0
      const nanLeft = d & DECISION_MISSING_NAN ? (d & DECISION_DEFAULT_LEFT) !== 0 : 0 <= t.threshold[i];
      return nanLeft ? NUMERIC_NAN_LEFT : NUMERIC_NAN_RIGHT;
    }),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    catBits: t.catSets.map((set) => {
      const max = set.reduce((m, c) => Math.max(m, c), 0);
      const bits = new Uint32Array((max >>> 5) + 1);
      for (const c of set) bits[c >>> 5] |= 1 << (c & 31);
      return bits;
    }),
    leafValue: Float64Array.from(t.leafValue),
  };
}

/** The leaf a row reaches (`x` row-major, the row's first value at `base`). */
function leafOfRow(t: CompiledTree, x: Float64Array, base: number): number {
  const { feature, threshold, kind, left, right, catBits } = t;
  if (feature.length === 0) return 0;
  let node = 0;
  do {
    const v = x[base + feature[node]];
    const k = kind[node];
    let goLeft: boolean;
    if (k !== CATEGORICAL) goLeft = v <= threshold[node] || (v !== v && k === NUMERIC_NAN_LEFT);
    else if (v !== v || v < 0) goLeft = false;
    else {
      const c = trunc(v);
      const bits = catBits[threshold[node]];
      const w = c >>> 5;
      goLeft = w < bits.length && (bits[w] & (1 << (c & 31))) !== 0;
    }
    node = goLeft ? left[node] : right[node];
  } while (node >= 0);
  return ~node;
}

/** Row-major copy of the columns: a traversal reads several features of one row. */
function rowMajor(model: GbdtModel, columns: ArrayLike<number>[]): { x: Float64Array; n: number; nf: number } {
  if (columns.length !== model.features.length) {
    throw new Error(`expected ${model.features.length} feature columns, got ${columns.length}`);
  }
  const n = columns.length > 0 ? columns[0].length : 0;
  const nf = columns.length;
  const x = new Float64Array(n * nf);
  for (let f = 0; f < nf; f++) {
    const c = columns[f];
    if (c.length !== n) throw new Error('feature columns differ in length');
    for (let i = 0; i < n; i++) x[i * nf + f] = c[i];
  }
  return { x, n, nf };
}

/** Compiled trees per model: a fitted model scores many chunks. */
const compiled = new WeakMap<TreeModel[], CompiledTree[]>();

function compiledTrees(model: GbdtModel): CompiledTree[] {
  let trees = compiled.get(model.trees);
  if (!trees || trees.length !== model.trees.length) {
    trees = model.trees.map(compileTree);
    compiled.set(model.trees, trees);
  }
  return trees;
}

/** Scores rows from columns aligned with `model.features` (same order, same encoding as in training). */
export function predictRaw(model: GbdtModel, columns: ArrayLike<number>[]): Float64Array {
  const { x, n, nf } = rowMajor(model, columns);
  const out = new Float64Array(n).fill(model.initScore);
  for (const t of compiledTrees(model)) {
    const values = t.leafValue;
    for (let i = 0; i < n; i++) out[i] += values[leafOfRow(t, x, i * nf)];
  }
  return out;
}

/** The leaf each row reaches in each tree (`[tree][row]`), e.g. to inspect leaf sizes. */
export function predictLeaves(model: GbdtModel, columns: ArrayLike<number>[]): Int32Array[] {
  const { x, n, nf } = rowMajor(model, columns);
  return compiledTrees(model).map((t) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = leafOfRow(t, x, i * nf);
    return out;
  });
}

/** Predictions on the response scale: the regression value, or P(y = 1) for binary. */
export function predict(model: GbdtModel, columns: ArrayLike<number>[]): Float64Array {
  const raw = predictRaw(model, columns);
  if (model.objective === 'binary') for (let i = 0; i < raw.length; i++) raw[i] = 1 / (1 + exp(-raw[i]));
  return raw;
}
