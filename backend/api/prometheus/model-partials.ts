/**
 * Instant answers of aggregations grouped by `model`, made per model and kept while the model's series do
 * not change. The provisioned alert rules are all of this kind (`max by (model, column, metric)
 * (vigil_data_quality_alert)`), Grafana evaluates them every minute or faster, and at 200 models the
 * data-quality rule reads ~20,000 series and writes a 1.3 MB answer: evaluated whole, the nine rules took
 * ~70 ms of the query thread per round on an idle machine, several times that during ingest, while in
 * one second of ingest only a few dozen models change.
 *
 * A grouping that keeps `model` splits the answer by the `model` label: no group mixes two of its values.
 * (A segmented model's segments are models of their own whose series carry the segmented model's name
 * and a `segment` label: they go into that name's part.) So each model's part is evaluated alone (the
 * same evaluator, over that model's series only) and kept as its answer's text, without the evaluation
 * time. A part is reused while
 * - the model's series are the ones it was made from (the stamp of StoreSeriesSource.partitions(): the models' identity
 *   and series version, which moves with every result write, renumbering, reference and open chunk closed),
 * - and the query's time falls in the span where every one of those series shows the same sample (the
 *   lookback rule: from the sample's time until the next sample, or until the last one stops counting).
 * The answer is then the parts' items in the order the whole evaluation gives them: an aggregation's
 * groups come in the order of their first input series, and the input is every model's series in label
 * order, so one pass over the selected series, emitting a group where its first series stands, gives the
 * same order and the same bytes (model-partials.test.ts checks them equal to the whole evaluation).
 *
 * Anything else (other shapes, `@`/offset, the model-health series, which have no series version, answers
 * over the sample limit) returns null: the caller evaluates the whole query.
 */
import { AggregateExpr, Expr, LabelMatcher, VectorSelector } from './ast';
import { evaluateInstant, Lookback, shownSampleSpan, unwrap } from './evaluator';
import { formatTimestamp, sampleHead, sampleTail, VECTOR_END, VECTOR_START } from './format';
import { mayReadHealth } from './health-source';
import { compareLabels, keepLabels, Labels, labelsKey } from './labels';
import { QueryBudget } from './limits';
import { MODEL_LABEL } from './series';
import { Series, SeriesSource } from './source';
import { Slicer } from './store-source';

/** Aggregations whose group values depend only on their group's samples and that take no parameter. */
const PARTIAL_OPS = new Set(['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']);
/** Expressions whose parts are kept (least recently used dropped first): the provisioned rules and a few panels. */
const MAX_EXPRESSIONS = 32;
/** Parts are made ahead (warm) for expressions asked within this long (ms): rules evaluated every few minutes or faster. */
const WARM_WITHIN_MS = 5 * 60_000;

/** One model's part of one expression's answer. */
interface Part {
  /** The model's series stamp it was made from. */
  stamp: string;
  /** The times (ms) for which it holds: [from, until). */
  from: number;
  until: number;
  /** Per group, in order: the labels object of its first input series, and its label key. */
  firsts: Labels[];
  keys: string[];
  /** Per group: the item's text before the time, and after it. */
  heads: string[];
  tails: string[];
}

/** One expression's parts and the answer text made of them, between the times: pieces.join(time). */
interface Assembly {
  parts: Map<string, Part>;
  /** The answer's items in order (model and group), and each model's item positions; null: made again. */
  order: { model: string; g: number }[] | null;
  positions: Map<string, number[]>;
  pieces: string[];
  /** The answer being made (answers of one expression are made one at a time: they share the pieces). */
  busy: Promise<unknown>;
  expr: Expr;
  shape: Shape;
  /** When it was last asked (performance.now() ms): only expressions asked lately are made ahead. */
  askedAt: number;
}

type Shape = { agg: AggregateExpr; selector: VectorSelector };

export interface PartialSource {
  /** The current series (refreshed). */
  current(): Promise<SeriesSource>;
  /**
   * The models read, by the value of their series' `model` label: a segmented model's segments have
   * models of their own whose series carry the segmented model's name (series.ts), so they share a part.
   */
  partitions(): ReadonlyMap<string, Partition>;
  /** One model's series that satisfy every matcher, sorted by labels. */
  modelSelect(model: string, matchers: readonly LabelMatcher[]): Series[];
}

/** The stored models whose series carry one value of the `model` label. */
export interface Partition {
  names: string[];
  /** Changes whenever one of their series changes (a model deleted and registered again included). */
  stamp: string;
}


/** The aggregation and its selector when the expression is answered by parts; null otherwise. */
export function partialShape(expr: Expr): Shape | null {
  const agg = unwrap(expr);
  if (agg.type !== 'aggregate' || agg.without || agg.param !== null || !PARTIAL_OPS.has(agg.op) || !agg.grouping.includes(MODEL_LABEL)) return null;
  const selector = unwrap(agg.expr);
  if (selector.type !== 'vector_selector' || selector.at !== null || selector.offset !== 0) return null;
  if (mayReadHealth(selector)) return null;
  return { agg, selector };
}

export class ModelPartials {
  /** Per query text (a Map keeps insertion order: re-inserted on use, for the LRU). */
  private readonly byQuery = new Map<string, Assembly>();
  /** Counters for tests and the bench: parts made and reused, answers whose order was made again. */
  readonly counts = { made: 0, reused: 0, ordered: 0 };

  constructor(
    private readonly source: PartialSource,
    private readonly lookback: Lookback,
  ) {}

  /**
   * The whole success answer of the instant query `text` (parsed: `expr`) at `time`, or null when the
   * expression is not answered by parts (the caller evaluates it whole).
   */
  async answer(text: string, expr: Expr, time: number, budget: QueryBudget): Promise<Buffer | null> {
    const shape = partialShape(expr);
    if (shape === null) return null;
    let a = this.byQuery.get(text);
    if (a) this.byQuery.delete(text);
    else a = { parts: new Map(), order: null, positions: new Map(), pieces: [], busy: Promise.resolve(), expr, shape, askedAt: 0 };
    a.askedAt = performance.now();
    this.byQuery.set(text, a);
    if (this.byQuery.size > MAX_EXPRESSIONS) this.byQuery.delete(this.byQuery.keys().next().value!);
    return this.serially(a, async () => {
      if (!(await this.update(a, time, budget))) {
        this.byQuery.delete(text);
        return null;
      }
      return Buffer.from(a.pieces.join(formatTimestamp(time)), 'utf8');
    });
  }

  /**
   * Brings the parts of the expressions asked in the last 5 minutes up to the current series at `time`
   * (the query thread's upkeep, after a refresh): a rule query then finds them made, as it finds the
   * series read.
   */
  async warm(time: number, budget: () => QueryBudget): Promise<void> {
    // Background work: it yields often, so that a query that arrives meanwhile goes first (it makes its
    // parts itself rather than wait for this pass).
    const slice = new Slicer();
    for (const [text, a] of [...this.byQuery]) {
      if (performance.now() - a.askedAt > WARM_WITHIN_MS) continue;
      await slice.check();
      const ok = await this.serially(a, () => this.update(a, time, budget(), slice));
      if (!ok && this.byQuery.get(text) === a) this.byQuery.delete(text);
    }
  }

  /** Runs `job` after the expression's earlier ones (they share its parts and pieces). */
  private serially<T>(a: Assembly, job: () => Promise<T>): Promise<T> {
    const mine = a.busy.catch(() => undefined).then(job);
    a.busy = mine;
    return mine;
  }

  /**
   * Makes again the parts that do not hold at `time`, then the pieces; false when the answer is not to
   * be made by parts (over the sample limit, or an order that does not add up, which would be a bug).
   */
  private async update(a: Assembly, time: number, budget: QueryBudget, slice?: Slicer): Promise<boolean> {
    const { shape, expr } = a;
    const index = await this.source.current();
    // Parts made again: the order of items holds when each keeps its groups and their first series.
    const remade: string[] = [];
    const models = new Set<string>();
    for (const [model, { names, stamp }] of this.source.partitions()) {
      models.add(model);
      const kept = a.parts.get(model);
      if (kept !== undefined && kept.stamp === stamp && kept.from <= time && time < kept.until) {
        this.counts.reused++;
        continue;
      }
      const matchers = shape.selector.matchers;
      const series = names.length === 1 ? this.source.modelSelect(names[0], matchers) : names.flatMap((n) => this.source.modelSelect(n, matchers)).sort((x, y) => compareLabels(x.labels, y.labels));
      const part = await this.makePart(shape.agg, expr, series, stamp, time, budget);
      this.counts.made++;
      await slice?.check();
      a.parts.set(model, part);
      if (a.order !== null && !(kept !== undefined ? sameGroups(kept, part) : part.keys.length === 0)) a.order = null;
      remade.push(model);
    }
    for (const model of [...a.parts.keys()]) {
      if (models.has(model)) continue;
      if (a.parts.get(model)!.keys.length > 0) a.order = null;
      a.parts.delete(model);
    }
    let groups = 0;
    for (const p of a.parts.values()) groups += p.keys.length;
    if (groups > budget.maxSamples) return false; // the whole evaluation answers with the limit's error
    if (a.order === null) return this.order(a, index.select(shape.selector.matchers), groups);
    for (const model of remade) for (const k of a.positions.get(model) ?? []) this.setPiece(a, k), this.setPiece(a, k + 1);
    return true;
  }

  /** The items in the order the whole evaluation gives them: each group where its first series stands. */
  private order(a: Assembly, selected: Series[], groups: number): boolean {
    this.counts.ordered++;
    const firstOf = new Map<Labels, { model: string; g: number }>();
    for (const [model, p] of a.parts) p.firsts.forEach((labels, g) => firstOf.set(labels, { model, g }));
    const order: { model: string; g: number }[] = [];
    a.positions = new Map();
    for (const s of selected) {
      const item = firstOf.get(s.labels);
      if (item === undefined) continue;
      let at = a.positions.get(item.model);
      if (!at) a.positions.set(item.model, (at = []));
      at.push(order.length);
      order.push(item);
    }
    if (order.length !== groups) return false;
    a.order = order;
    a.pieces = new Array<string>(order.length + 1);
    for (let k = 0; k <= order.length; k++) this.setPiece(a, k);
    return true;
  }

  /** Piece k: what stands between the times of items k-1 and k (the answer's start and end included). */
  private setPiece(a: Assembly, k: number): void {
    const order = a.order!;
    const before = k > 0 ? a.parts.get(order[k - 1].model)!.tails[order[k - 1].g] : VECTOR_START;
    const after = k < order.length ? a.parts.get(order[k].model)!.heads[order[k].g] : VECTOR_END;
    a.pieces[k] = k > 0 && k < order.length ? `${before},${after}` : before + after;
  }

  /** One model's part: its series evaluated alone, and the span of times its samples hold for. */
  private async makePart(agg: AggregateExpr, expr: Expr, series: Series[], stamp: string, time: number, budget: QueryBudget): Promise<Part> {
    const one: SeriesSource = { select: () => series };
    const v = await evaluateInstant(expr, one, time, { lookback: this.lookback }, budget);
    if (v.kind !== 'vector') throw new Error(`an aggregation evaluated to a ${v.kind}`);
    let from = Number.NEGATIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    const firsts: Labels[] = [];
    const keys: string[] = [];
    const groupOf = new Map<string, number>();
    for (const s of series) {
      const span = shownSampleSpan(s, time, this.lookback);
      from = Math.max(from, span.from);
      until = Math.min(until, span.until);
      if (span.index < 0) continue;
      const key = labelsKey(keepLabels(s.labels, agg.grouping));
      if (groupOf.has(key)) continue;
      groupOf.set(key, keys.length);
      keys.push(key);
      firsts.push(s.labels);
    }
    if (v.samples.length !== keys.length) throw new Error(`${v.samples.length} groups evaluated, ${keys.length} expected`);
    const heads: string[] = [];
    const tails: string[] = [];
    v.samples.forEach((x, i) => {
      if (groupOf.get(labelsKey(x.labels)) !== i) throw new Error('groups evaluated out of their first series order');
      heads.push(sampleHead(x.labels));
      tails.push(sampleTail(x.value));
    });
    return { stamp, from, until, firsts, keys, heads, tails };
  }
}

/** Whether a part made again has the same groups with first series of the same labels (so the items keep their order). */
function sameGroups(a: Part, b: Part): boolean {
  if (a.keys.length !== b.keys.length) return false;
  for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i] || (a.firsts[i] !== b.firsts[i] && labelsKey(a.firsts[i]) !== labelsKey(b.firsts[i]))) return false;
  return true;
}
