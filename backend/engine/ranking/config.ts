/**
 * The optional `rankings` section of a run config, and the rankings it produces from the run's results.
 *
 *   rankings:
 *     - class: AlertCountRanker
 *       id: most_alerts            # optional; default the class name
 *       calculator: drift          # id of a UnivariateDriftCalculator (or MissingValues/UnseenValues/SummaryStats* calculator)
 *       methods: [jensen_shannon]  # optional filter, needed when a column has several methods
 *       period: all                # all (default: NannyML ranks the result it is given, reference rows included) | analysis | reference
 *       only_drifting: false
 *     - class: CorrelationRanker
 *       drift: drift               # as `calculator` above; its analysis rows are ranked
 *       methods: [jensen_shannon]
 *       performance: cbpe          # id of a CBPE, DLE or PerformanceCalculator
 *       metric: roc_auc            # one of its metrics (fit on its reference rows, ranked on the analysis rows)
 *       only_drifting: false
 *
 * Output: `{"rankings": [{"class", "id", "rows": [...]}]}` with NannyML's ranking columns.
 */
import { ConfigError, ResultRow } from '../calculator';
import { AlertCountRow, CorrelationRow, rankByAlertCount, rankByCorrelation, RankingError } from './rankers';
import { keyIn } from '../params';

export const RANKER_CLASSES = ['AlertCountRanker', 'CorrelationRanker'] as const;
export type RankerClass = (typeof RANKER_CLASSES)[number];

/** NannyML's RankableResult: results with one value series per column. */
const RANKABLE_CALCULATORS = [
  'UnivariateDriftCalculator',
  'MissingValuesCalculator',
  'UnseenValuesCalculator',
  'SummaryStatsAvgCalculator',
  'SummaryStatsSumCalculator',
  'SummaryStatsStdCalculator',
  'SummaryStatsMedianCalculator',
];
const PERFORMANCE_CALCULATORS = ['CBPE', 'DLE', 'PerformanceCalculator'];
const PERIODS = ['all', 'analysis', 'reference'] as const;

export interface RankingConfig {
  className: RankerClass;
  id: string;
  where: string;
  /** id of the calculator whose per-column results are ranked */
  drift: string;
  methods: string[] | null;
  period: (typeof PERIODS)[number];
  onlyDrifting: boolean;
  performance: string | null;
  metric: string | null;
}

export interface RankingOutput {
  class: RankerClass;
  id: string;
  /** segmented runs only: the segment ranked (null: the whole data) */
  segment?: string | null;
  rows: AlertCountRow[] | CorrelationRow[];
}

/** Validates the `rankings` list against the configured calculators (id → class). */
export function parseRankings(raw: unknown, calculators: { id: string; className: string }[], where = 'rankings'): RankingConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(where, 'must be a list of rankers');
  const classOf = new Map(calculators.map((c) => [c.id, c.className]));
  const ids = new Set<string>();
  return raw.map((entry, i) => {
    const at = `${where}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(at, 'must be a mapping with class and its keys');
    const o = entry as Record<string, unknown>;
    const cls = o.class;
    if (typeof cls !== 'string' || !(RANKER_CLASSES as readonly string[]).includes(cls)) {
      throw new ConfigError(`${at}.class`, `unknown ranker ${JSON.stringify(cls)} (expected one of: ${RANKER_CLASSES.join(', ')})`);
    }
    const className = cls as RankerClass;
    const driftKey = className === 'AlertCountRanker' ? 'calculator' : 'drift';
    const allowed = ['class', 'id', driftKey, 'methods', 'only_drifting', ...(className === 'AlertCountRanker' ? ['period'] : ['performance', 'metric'])];
    for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ConfigError(keyIn(at, k), `unknown key (expected ${allowed.join(', ')})`);
    const str = (k: string, required: boolean): string | null => {
      const v = o[k];
      if (v === undefined || v === null) {
        if (required) throw new ConfigError(`${at}.${k}`, 'is required');
        return null;
      }
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${at}.${k}`, 'must be a non-empty string');
      return v;
    };
    const calculatorRef = (k: string, accepted: string[]): string => {
      const id = str(k, true)!;
      const c = classOf.get(id);
      if (c === undefined) throw new ConfigError(`${at}.${k}`, `no calculator has id '${id}' (known: ${[...classOf.keys()].join(', ')})`);
      if (!accepted.includes(c)) throw new ConfigError(`${at}.${k}`, `calculator '${id}' is a ${c}; ${className} ranks results of ${accepted.join(', ')}`);
      return id;
    };
    const id = str('id', false) ?? className;
    if (ids.has(id)) throw new ConfigError(`${at}.id`, `'${id}' is already used by another ranker; give each an id`);
    ids.add(id);
    let methods: string[] | null = null;
    if (o.methods !== undefined && o.methods !== null) {
      const m = typeof o.methods === 'string' ? [o.methods] : o.methods;
      if (!Array.isArray(m) || m.length === 0 || m.some((x) => typeof x !== 'string' || x === '')) throw new ConfigError(`${at}.methods`, 'must be a method name or a list of them');
      methods = m as string[];
    }
    const onlyDrifting = o.only_drifting ?? false;
    if (typeof onlyDrifting !== 'boolean') throw new ConfigError(`${at}.only_drifting`, 'must be true or false');
    const period = (str('period', false) ?? 'all') as RankingConfig['period'];
    if (!PERIODS.includes(period)) throw new ConfigError(`${at}.period`, `must be one of: ${PERIODS.join(', ')}`);
    return {
      className,
      id,
      where: at,
      drift: calculatorRef(driftKey, RANKABLE_CALCULATORS),
      methods,
      period: className === 'CorrelationRanker' ? 'analysis' : period,
      onlyDrifting,
      performance: className === 'CorrelationRanker' ? calculatorRef('performance', PERFORMANCE_CALCULATORS) : null,
      metric: className === 'CorrelationRanker' ? str('metric', true) : null,
    };
  });
}

/** Runs the configured rankers on a run's results. */
export function computeRankings(configs: RankingConfig[], results: ResultRow[]): RankingOutput[] {
  return configs.map((c) => {
    let drift = results.filter((r) => r.id === c.drift && (c.period === 'all' || r.period === c.period));
    if (c.methods) {
      const present = new Set(drift.map((r) => r.metric));
      const missing = c.methods.filter((m) => !present.has(m));
      if (missing.length > 0) throw new ConfigError(`${c.where}.methods`, `calculator '${c.drift}' has no results for ${missing.join(', ')} (it has: ${[...present].join(', ')})`);
      drift = drift.filter((r) => c.methods!.includes(r.metric));
    }
    try {
      if (c.className === 'AlertCountRanker') return { class: c.className, id: c.id, rows: rankByAlertCount(drift, c.onlyDrifting) };
      const perf = results.filter((r) => r.id === c.performance && r.metric === c.metric);
      if (perf.length === 0) {
        const metrics = [...new Set(results.filter((r) => r.id === c.performance).map((r) => r.metric))];
        throw new ConfigError(`${c.where}.metric`, `calculator '${c.performance}' has no metric '${c.metric}' (it has: ${metrics.join(', ')})`);
      }
      const rows = rankByCorrelation(
        drift,
        perf.filter((r) => r.period === 'reference'),
        perf.filter((r) => r.period === 'analysis'),
        c.onlyDrifting,
      );
      return { class: c.className, id: c.id, rows };
    } catch (e) {
      if (e instanceof RankingError) throw new ConfigError(c.where, e.message);
      throw e;
    }
  });
}
