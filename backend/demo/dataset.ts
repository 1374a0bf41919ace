/**
 * The demo dataset: a loan-default classifier's inputs, predictions and outcomes, generated (seeded) so
 * that every panel has something to show. Time runs up to `now`: a reference month, then 60 days of
 * production with planted events (day numbers count from the first analysis day):
 *
 * - days 20–34, covariate drift: incomes rise (log-mean +0.35) and the south region grows from 25 % to
 *   55 % of applications — univariate drift on `income` and `region`; estimated performance moves a little;
 * - days 38–40, a data-quality incident: 35 % of `credit_score` missing, 6 % of `debt_ratio` sent as text
 *   with a decimal comma ("0,42": type-inconsistent, stored as missing), and a new channel
 *   `partner_api` (unseen in the reference) on 20 % of rows;
 * - days 44–46, outliers: 4 % of rows with extreme loan amounts, ages and credit scores;
 * - days 48–59, concept shift: the outcome starts to depend much more on the debt ratio, and the credit
 *   score's effect turns around — inputs look as before, so CBPE's estimate holds while realized ROC AUC
 *   drops;
 * - labels arrive late: the last 3 days have no targets yet; days 55–56 get theirs through the targets
 *   endpoint (late targets), older rows arrive with their target.
 */

export const DEMO_FEATURES = ['age', 'income', 'credit_score', 'loan_amount', 'debt_ratio', 'tenure_months', 'region', 'channel', 'product'];
export const DEMO_CATEGORICAL = ['region', 'channel', 'product'];
export const DEMO_TARGET = 'defaulted';

export interface DemoOptions {
  /** Epoch ms the data runs up to. */
  now: number;
  seed?: number;
  referenceDays?: number;
  analysisDays?: number;
  rowsPerDay?: number;
}

export const DEMO_DEFAULTS = { seed: 7, referenceDays: 30, analysisDays: 60, rowsPerDay: 600 };

/** Planted events, by analysis day (inclusive ranges), for tests and docs. */
export const DEMO_EVENTS = {
  covariateDrift: [20, 34],
  dataQuality: [38, 40],
  outliers: [44, 46],
  conceptShift: [48, 59],
  /** Days without targets at the end, and days whose targets come late through the targets endpoint. */
  unlabelledDays: 3,
  lateTargetDays: 2,
} as const;

/** mulberry32: a small, well-mixed 32-bit PRNG; reproducible across platforms. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
/** Day-to-day variation of the traffic (relative standard deviation). */
const DAILY_VOLUME_SPREAD = 0.12;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface DemoRow {
  id: string;
  timestamp: string;
  age: number | null;
  income: number | null;
  credit_score: number | null;
  loan_amount: number | null;
  debt_ratio: number | string | null;
  tenure_months: number | null;
  region: string;
  channel: string;
  product: string;
  y_pred_proba: number;
  y_pred: number;
  defaulted?: number;
}

export interface DemoData {
  reference: DemoRow[];
  /** Analysis rows in time order; rows of the unlabelled and late-target days carry no target. */
  analysis: DemoRow[];
  /** Targets sent later through the targets endpoint. */
  lateTargets: { id: string; defaulted: number }[];
  analysisStart: number;
}

export function generateDemo(opts: DemoOptions): DemoData {
  const o = { ...DEMO_DEFAULTS, ...opts };
  const rnd = prng(o.seed);
  const normal = () => {
    // Box-Muller
    const u = 1 - rnd();
    const v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const pick = <T>(items: readonly T[], probs: readonly number[]): T => {
    let r = rnd();
    for (let i = 0; i < items.length; i++) {
      r -= probs[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  };
  // Analysis days are UTC calendar days (the demo chunks by day); the last one is today, still filling.
  const today = Math.floor(opts.now / DAY_MS) * DAY_MS;
  // In the first second of a day, today would have no rows yet: start it with at least one second.
  const end = Math.max(Math.floor(opts.now), today + 1000);
  const analysisStart = today - (o.analysisDays - 1) * DAY_MS;
  const referenceStart = analysisStart - o.referenceDays * DAY_MS;
  const inDays = (day: number, range: readonly [number, number]) => day >= range[0] && day <= range[1];
  let nextId = 100000;

  const makeRow = (t: number, day: number | null): DemoRow & { defaulted: number } => {
    const drift = day !== null && inDays(day, DEMO_EVENTS.covariateDrift);
    const quality = day !== null && inDays(day, DEMO_EVENTS.dataQuality);
    const outlier = day !== null && inDays(day, DEMO_EVENTS.outliers) && rnd() < 0.04;
    const concept = day !== null && inDays(day, DEMO_EVENTS.conceptShift);

    // Distributions cut at about 2.5σ: reference and production both reach the cuts, so values outside
    // the reference range come only from the planted outliers.
    let age = clamp(42 + 12 * normal(), 18, 72);
    let income = Math.exp(clamp(10.8 + (drift ? 0.35 : 0) + 0.45 * normal(), 9.7, 11.9));
    let credit = clamp(680 + 60 * normal(), 530, 830);
    let loan = Math.exp(clamp(9.6 + 0.5 * normal(), 8.35, 10.85));
    const debt = clamp(0.35 + 0.15 * normal(), 0.02, 0.72);
    const tenure = clamp(Math.round(36 + 24 * normal()), 0, 96);
    const region = pick(['north', 'south', 'east', 'west'], drift ? [0.15, 0.55, 0.15, 0.15] : [0.3, 0.25, 0.25, 0.2]);
    let channel = pick(['web', 'app', 'branch'], [0.5, 0.35, 0.15]);
    const product = pick(['standard', 'premium'], [0.8, 0.2]);
    if (outlier) {
      loan *= 20;
      age = 97 + 2 * rnd();
      credit = 300 + 20 * rnd();
    }
    // What the model learned (and what holds in the reference): a calibrated logistic score.
    const learned = -1.1 - 0.012 * (credit - 680) + 2.2 * (debt - 0.35) - 0.4 * Math.log(income / 50_000) + 0.25 * (loan / 15_000) - 0.008 * (tenure - 36);
    // The world after the concept shift: debt dominates, and a high credit score no longer protects
    // (its effect turns around), so the model's ranking degrades although its inputs look the same.
    const actual = concept ? -1.1 + 0.006 * (credit - 680) + 8 * (debt - 0.35) - 0.4 * Math.log(income / 50_000) : learned;
    const proba = clamp(sigmoid(learned + 0.15 * normal()), 0.001, 0.999);
    const defaulted = rnd() < sigmoid(actual) ? 1 : 0;
    let debtValue: number | string | null = round(debt, 3);
    let creditValue: number | null = Math.round(credit);
    if (quality) {
      if (rnd() < 0.35) creditValue = null;
      if (rnd() < 0.06) debtValue = String(round(debt, 2)).replace('.', ',');
      if (rnd() < 0.2) channel = 'partner_api';
    }
    return {
      id: String(nextId++),
      timestamp: new Date(t).toISOString(),
      age: Math.round(age),
      income: Math.round(income),
      credit_score: creditValue,
      loan_amount: Math.round(loan),
      debt_ratio: debtValue,
      tenure_months: tenure,
      region,
      channel,
      product,
      y_pred_proba: round(proba, 4),
      y_pred: proba >= 0.5 ? 1 : 0,
      defaulted,
    };
  };

  /** Row times over [start, stop): about `rowsPerDay` a day (volume varies ±12 % a day), in order. */
  const times = (start: number, stop: number) => {
    const out: number[] = [];
    for (let day = start; day < stop; day += DAY_MS) {
      const span = Math.min(DAY_MS, stop - day);
      const n = Math.max(1, Math.round(o.rowsPerDay * (span / DAY_MS) * (1 + DAILY_VOLUME_SPREAD * normal())));
      const inDay: number[] = [];
      for (let i = 0; i < n; i++) inDay.push(day + Math.floor(rnd() * span));
      out.push(...inDay.sort((a, b) => a - b));
    }
    return out;
  };

  const reference = times(referenceStart, analysisStart).map((t) => makeRow(t, null));
  const analysis: DemoRow[] = [];
  const lateTargets: { id: string; defaulted: number }[] = [];
  const unlabelledFrom = o.analysisDays - DEMO_EVENTS.unlabelledDays;
  const lateFrom = unlabelledFrom - DEMO_EVENTS.lateTargetDays;
  for (const t of times(analysisStart, end)) {
    const day = Math.floor((t - analysisStart) / DAY_MS);
    const row: DemoRow = makeRow(t, day);
    if (day >= lateFrom) {
      if (day < unlabelledFrom) lateTargets.push({ id: row.id, defaulted: row.defaulted! });
      delete row.defaulted;
    }
    analysis.push(row);
  }
  return { reference, analysis, lateTargets, analysisStart };
}
