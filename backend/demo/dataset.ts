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
import { seededRandom } from '../engine/random';

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

/** The engine's seeded PRNG (mulberry32): reproducible across platforms. */
const prng = seededRandom;

/** MurmurHash3's 32-bit finalizer: spreads nearby inputs (seed, day) over unrelated stream seeds. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Which part of the data a day belongs to: its own random stream per part and day. */
const STREAM_REFERENCE = 1;
const STREAM_ANALYSIS = 2;

/**
 * The random stream of one day. Every day draws from its own stream, so a day's rows depend only on the
 * seed and the day's place in the data, never on how many rows other days (today, cut at `now`) hold:
 * the demo shows the same full days whatever the time of day it starts.
 */
function dayStream(seed: number, part: number, day: number): () => number {
  return prng(fmix32(fmix32(fmix32(seed >>> 0) ^ part) ^ (day >>> 0)));
}

const DAY_MS = 86_400_000;
/** Day-to-day variation of the traffic (relative standard deviation). */
const DAILY_VOLUME_SPREAD = 0.12;
/** Shares of a day's rows hit by the planted events (see the top of this file). */
const OUTLIER_SHARE = 0.04;
const QUALITY_SHARES = { missingCreditScore: 0.35, textDebtRatio: 0.06, unseenChannel: 0.2 };
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
  // Analysis days are UTC calendar days (the demo chunks by day); the last one is today, still filling.
  const today = Math.floor(opts.now / DAY_MS) * DAY_MS;
  // In the first second of a day, today would have no rows yet: start it with at least one second.
  const end = Math.max(Math.floor(opts.now), today + 1000);
  const analysisStart = today - (o.analysisDays - 1) * DAY_MS;
  const referenceStart = analysisStart - o.referenceDays * DAY_MS;
  const inDays = (day: number, range: readonly [number, number]) => day >= range[0] && day <= range[1];
  let nextId = 100000;

  /** Rows of one day, drawn from that day's stream; `day` is the analysis day, null in the reference. */
  const dayRows = (rnd: () => number, dayStart: number, stop: number, day: number | null): (DemoRow & { defaulted: number })[] => {
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
    /**
     * Exactly round(share × n) rows of the day, at least one, chosen at random (partial Fisher–Yates):
     * every day of an event shows it, however few rows the day has.
     */
    const plantedRows = (n: number, share: number): Uint8Array => {
      const mask = new Uint8Array(n);
      const k = Math.min(n, Math.max(1, Math.round(share * n)));
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rnd() * (n - i));
        [order[i], order[j]] = [order[j], order[i]];
        mask[order[i]] = 1;
      }
      return mask;
    };
    const drift = day !== null && inDays(day, DEMO_EVENTS.covariateDrift);
    const quality = day !== null && inDays(day, DEMO_EVENTS.dataQuality);
    const concept = day !== null && inDays(day, DEMO_EVENTS.conceptShift);
    let outliers: Uint8Array | null = null;
    let missingCredit: Uint8Array | null = null;
    let textDebt: Uint8Array | null = null;
    let unseenChannel: Uint8Array | null = null;

    const makeRow = (t: number, i: number): DemoRow & { defaulted: number } => {
      const outlier = outliers !== null && outliers[i] === 1;

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
      if (missingCredit?.[i]) creditValue = null;
      if (textDebt?.[i]) debtValue = String(round(debt, 2)).replace('.', ',');
      if (unseenChannel?.[i]) channel = 'partner_api';
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
    // About `rowsPerDay` a day (volume varies ±12 % a day; a day cut short gets its share), in time order.
    const span = Math.min(DAY_MS, stop - dayStart);
    const n = Math.max(1, Math.round(o.rowsPerDay * (span / DAY_MS) * (1 + DAILY_VOLUME_SPREAD * normal())));
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = dayStart + Math.floor(rnd() * span);
    times.sort();
    if (day !== null && inDays(day, DEMO_EVENTS.outliers)) outliers = plantedRows(n, OUTLIER_SHARE);
    if (quality) {
      missingCredit = plantedRows(n, QUALITY_SHARES.missingCreditScore);
      textDebt = plantedRows(n, QUALITY_SHARES.textDebtRatio);
      unseenChannel = plantedRows(n, QUALITY_SHARES.unseenChannel);
    }
    const out: (DemoRow & { defaulted: number })[] = [];
    for (let i = 0; i < n; i++) out.push(makeRow(times[i], i));
    return out;
  };

  const reference: DemoRow[] = [];
  for (let d = 0; d < o.referenceDays; d++) {
    const dayStart = referenceStart + d * DAY_MS;
    for (const row of dayRows(dayStream(o.seed, STREAM_REFERENCE, d), dayStart, dayStart + DAY_MS, null)) reference.push(row);
  }
  const analysis: DemoRow[] = [];
  const lateTargets: { id: string; defaulted: number }[] = [];
  const unlabelledFrom = o.analysisDays - DEMO_EVENTS.unlabelledDays;
  const lateFrom = unlabelledFrom - DEMO_EVENTS.lateTargetDays;
  for (let day = 0; day < o.analysisDays; day++) {
    const dayStart = analysisStart + day * DAY_MS;
    for (const row of dayRows(dayStream(o.seed, STREAM_ANALYSIS, day), dayStart, Math.min(dayStart + DAY_MS, end), day)) {
      if (day >= lateFrom) {
        if (day < unlabelledFrom) lateTargets.push({ id: row.id, defaulted: row.defaulted });
        delete (row as DemoRow).defaulted;
      }
      analysis.push(row);
    }
  }
  return { reference, analysis, lateTargets, analysisStart };
}
