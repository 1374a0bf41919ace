/**
 * Semantics against the real thing: the same samples are backfilled into a real Prometheus 2.42
 * (`promtool tsdb create-blocks-from openmetrics`, then `prometheus` on that data dir on loopback) and
 * loaded into Vigil's evaluator (window lookback = Prometheus's 5m), and both answer the same queries of
 * the subset, instant and range, with identical JSON results.
 *
 * Sample times sit at :17.123 past the minute and queries at whole minutes, so no sample falls exactly on
 * a window edge: Prometheus 2.x includes the left edge, Vigil (like Prometheus 3) does not.
 */
import express from 'express';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { PROMETHEUS_DEFAULT_LOOKBACK_MS } from '../../backend/api/prometheus/evaluator';
import { Labels } from '../../backend/api/prometheus/labels';
import { prometheusRouter } from '../../backend/api/prometheus/router';
import { MemorySeriesSource, seriesFromSamples } from '../../backend/api/prometheus/source';
import fc from 'fast-check';
import { fuzzParams } from '../helpers/fuzz';
import { getJson, HttpServer, PrometheusServer, promtool, serveApp, startPrometheus, tempDir } from './prom-helpers';
import { FUNCTIONS } from '../../backend/api/prometheus/functions';
import { differentialCorpus, validQuery } from './promql-arbitrary';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Data spans 8 hours ending two days ago, on whole hours (TSDB blocks are 2h-aligned). */
const END = Math.floor((Date.now() - 2 * 24 * HOUR) / HOUR) * HOUR;
const START = END - 8 * HOUR;
const SAMPLE_OFFSET_MS = 17_123;

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  labels: Labels;
  t: number;
  v: number;
}

function generate(): Sample[] {
  const rand = rng(42);
  const out: Sample[] = [];
  // One series per label set; an interval of 4 to 12 minutes and some gaps so lookback matters.
  const series = (labels: Labels, value: () => number, intervalMin: number, dropRate = 0.15) => {
    for (let t = START + SAMPLE_OFFSET_MS; t < END; t += intervalMin * MINUTE) {
      if (rand() < dropRate) continue;
      out.push({ labels, t, v: value() });
    }
  };
  for (const model of ['m1', 'm2']) {
    series({ __name__: 'vigil_outlier_rate', model, metric: 'outlier_rate' }, () => rand(), 7);
    series({ __name__: 'vigil_outlier_rate_upper_threshold', model, metric: 'outlier_rate' }, () => 0.3 + rand() * 0.4, 11, 0);
    for (const column of ['a', 'b', 'c']) {
      for (const method of ['jensen_shannon', 'kolmogorov_smirnov']) {
        const labels = { model, column, method };
        series({ __name__: 'vigil_univariate_drift', ...labels }, () => rand() * 0.2, 4 + ((column.charCodeAt(0) + method.length) % 5));
        series({ __name__: 'vigil_univariate_drift_upper_threshold', ...labels }, () => 0.1, 6, 0.05);
        series({ __name__: 'vigil_univariate_drift_alert', ...labels }, () => (rand() < 0.3 ? 1 : 0), 5);
      }
    }
    for (const metric of ['roc_auc', 'f1']) {
      series({ __name__: 'vigil_estimated_performance', model, metric }, () => 0.6 + rand() * 0.3, 9);
      series({ __name__: 'vigil_realized_performance', model, metric }, () => 0.6 + rand() * 0.3, 13);
    }
  }
  // NaN and infinities exercise min/max/avg's special-value rules.
  series({ __name__: 'vigil_statistic', model: 'm1', column: 'a', metric: 'avg' }, () => [NaN, Infinity, -Infinity, 1.5, 1e300][Math.floor(rand() * 5)], 5, 0);
  series({ __name__: 'vigil_statistic', model: 'm1', column: 'b', metric: 'avg' }, () => 1e-7 + rand() * 1e22, 5, 0);
  series({ __name__: 'vigil_statistic', model: 'm1', column: 'c', metric: 'avg' }, () => (rand() - 0.5) * 1e-5, 5, 0);
  // A counter with resets, and classic histogram buckets (cumulative counters), for rate/increase/resets
  // and histogram_quantile.
  for (const [model, interval] of [['m1', 2], ['m2', 3]] as const) {
    let total = 0;
    series({ __name__: 'vigil_ingested_rows_total', model }, () => (total = rand() < 0.04 ? Math.floor(rand() * 50) : total + Math.floor(rand() * 1000)), interval, 0.1);
  }
  const BOUNDS = ['0.1', '0.5', '1', '+Inf'];
  for (const model of ['m1', 'm2']) {
    const counts = BOUNDS.map(() => 0);
    for (let t = START + SAMPLE_OFFSET_MS; t < END; t += 4 * MINUTE) {
      // New observations fall in one bucket and every bucket above it.
      for (let n = Math.floor(rand() * 20); n > 0; n--) {
        const b = Math.floor(rand() * BOUNDS.length);
        for (let i = b; i < BOUNDS.length; i++) counts[i]++;
      }
      BOUNDS.forEach((le, i) => out.push({ labels: { __name__: 'vigil_recompute_duration_seconds_bucket', model, le }, t, v: counts[i] }));
    }
  }
  return out;
}

function openMetrics(samples: Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) {
    const name = s.labels.__name__;
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name)!.push(s);
  }
  const lines: string[] = [];
  const fmt = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    const bySeries = new Map<string, Sample[]>();
    for (const s of list) {
      const key = JSON.stringify(s.labels);
      if (!bySeries.has(key)) bySeries.set(key, []);
      bySeries.get(key)!.push(s);
    }
    for (const points of bySeries.values()) {
      for (const s of points.sort((a, b) => a.t - b.t)) {
        const labels = Object.entries(s.labels)
          .filter(([k]) => k !== '__name__')
          .map(([k, v]) => `${k}="${v}"`)
          .join(',');
        lines.push(`${name}{${labels}} ${fmt(s.v)} ${(s.t / 1000).toFixed(3)}`);
      }
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

/** Queries covering every construct of the subset, plus errors both must raise. */
const QUERIES = [
  // literals and scalar arithmetic (Grafana's health check is `1+1`)
  '1+1',
  '2 * 3 ^ 2 - 1',
  '-2 ^ 2',
  '2 ^ 3 ^ 2',
  '7 % 3 + 10 / 4',
  '1 / 0',
  '-1 / 0',
  '0 / 0',
  '5 > bool 3',
  '(1 + 2) * -3',
  // selectors and matchers
  'vigil_outlier_rate',
  'vigil_univariate_drift{model="m1"}',
  'vigil_univariate_drift{column!="a", model="m2"}',
  'vigil_univariate_drift{column=~"a|b", method=~"jensen.*"}',
  'vigil_univariate_drift{method!~"jensen.*"}',
  '{__name__=~"vigil_outlier.*"}',
  'vigil_statistic',
  // vector-scalar arithmetic and comparisons
  'vigil_outlier_rate * 100',
  '1 - vigil_estimated_performance',
  'vigil_statistic / 3',
  'vigil_outlier_rate ^ 2 % 0.3',
  'vigil_outlier_rate > 0.5',
  '0.5 < vigil_outlier_rate',
  'vigil_outlier_rate > bool 0.5',
  '0.5 >= bool vigil_outlier_rate',
  'vigil_univariate_drift_alert == 1',
  'vigil_univariate_drift_alert != bool 0',
  '-vigil_outlier_rate',
  '(vigil_outlier_rate)',
  // vector-vector, one-to-one
  'vigil_outlier_rate > vigil_outlier_rate_upper_threshold',
  'vigil_outlier_rate > bool vigil_outlier_rate_upper_threshold',
  'vigil_univariate_drift / vigil_univariate_drift_upper_threshold',
  'vigil_univariate_drift >= bool vigil_univariate_drift_upper_threshold',
  'vigil_estimated_performance - on(model, metric) vigil_realized_performance',
  'vigil_estimated_performance < on(model, metric) vigil_realized_performance',
  'vigil_univariate_drift{column="a"} - ignoring(column) vigil_univariate_drift{column="b"}',
  'vigil_univariate_drift{column="a"} <= bool ignoring(column) vigil_univariate_drift{column="c"}',
  // aggregations
  'sum(vigil_univariate_drift)',
  'sum by (model) (vigil_univariate_drift)',
  'sum(vigil_univariate_drift) by (model, method)',
  'avg without (column) (vigil_univariate_drift)',
  'avg(vigil_statistic)',
  'max by (model, method) (vigil_univariate_drift)',
  'min(vigil_outlier_rate) by (model)',
  'max(vigil_statistic)',
  'min(vigil_statistic)',
  'count by (model) (vigil_univariate_drift_alert == 1)',
  'count without (method) (vigil_univariate_drift)',
  'max by (model) (vigil_univariate_drift / vigil_univariate_drift_upper_threshold)',
  'sum by (__name__) ({__name__=~"vigil_(outlier_rate|estimated_performance)"})',
  // range functions and offset
  'last_over_time(vigil_outlier_rate[30m])',
  'avg_over_time(vigil_univariate_drift[1h])',
  'max_over_time(vigil_estimated_performance[2h])',
  'min_over_time(vigil_realized_performance[90m])',
  'avg_over_time(vigil_statistic[30m])',
  'max_over_time(vigil_statistic[30m])',
  'min_over_time(vigil_statistic[30m])',
  'vigil_outlier_rate offset 1h',
  'avg_over_time(vigil_outlier_rate[1h] offset 30m)',
  'max by (model) (last_over_time(vigil_univariate_drift[20m]) > bool 0.1)',
  // errors
  '{model="m1", __name__=~"vigil_outlier_rate.*"} * 2',
  'vigil_estimated_performance - ignoring(metric) vigil_realized_performance',
  'sum by (model, method) (vigil_univariate_drift) / ignoring(method) sum by (model, method) (vigil_univariate_drift_upper_threshold)',
];

/** Instant queries that return a matrix (range selectors), instant only. */
const MATRIX_QUERIES = ['vigil_outlier_rate[20m]', 'vigil_univariate_drift{model="m2",column="b"}[30m] offset 10m'];

let prometheus: PrometheusServer;
let vigil: HttpServer;
let workDir: string;

beforeAll(async () => {
  workDir = tempDir('oracle');
  const samples = generate();
  const omFile = path.join(workDir, 'samples.om.txt');
  fs.writeFileSync(omFile, openMetrics(samples));
  const dataDir = path.join(workDir, 'data');
  const created = await promtool(['tsdb', 'create-blocks-from', 'openmetrics', omFile, dataDir]);
  if (created.code !== 0) throw new Error(`create-blocks-from failed: ${created.stderr}`);
  prometheus = await startPrometheus({ config: 'global: {}\n', dataDir });

  const source = new MemorySeriesSource(seriesFromSamples(samples));
  const app = express();
  app.use('/prometheus', prometheusRouter({ source: () => source, lookback: { kind: 'window', ms: PROMETHEUS_DEFAULT_LOOKBACK_MS } }));
  vigil = await serveApp(app);
});

afterAll(async () => {
  await prometheus?.stop();
  await vigil?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** Vectors come in no defined order from Prometheus: sort by labels before comparing. */
function normalise(body: any): any {
  if (body?.status !== 'success') return { status: body?.status, errorType: body?.errorType };
  const data = body.data;
  if (Array.isArray(data?.result) && (data.resultType === 'vector' || data.resultType === 'matrix')) {
    const key = (r: any) => JSON.stringify(Object.entries(r.metric).sort());
    return { ...body, data: { ...data, result: [...data.result].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) } };
  }
  return body;
}

async function both(pathAndQuery: string) {
  const [p, v] = await Promise.all([getJson(`${prometheus.url}${pathAndQuery}`), getJson(`${vigil.url}/prometheus${pathAndQuery}`)]);
  return { p, v };
}

const INSTANT_TIMES = [START + 25 * MINUTE, START + 3 * HOUR + 7 * MINUTE, END - 2 * MINUTE, END + 4 * MINUTE, END + 20 * MINUTE];

describe('Vigil answers like Prometheus 2.42 on the same samples', () => {
  it('has backfilled data in Prometheus (the comparison is not vacuous)', async () => {
    const { p } = await both(`/api/v1/query?query=${encodeURIComponent('count(vigil_univariate_drift)')}&time=${(START + 3 * HOUR) / 1000}`);
    expect(p.body.status).toBe('success');
    expect(Number(p.body.data.result[0].value[1])).toBeGreaterThan(3);
  });

  it.each(QUERIES)('instant: %s', async (q) => {
    for (const t of INSTANT_TIMES) {
      const { p, v } = await both(`/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`);
      expect({ t, status: v.status, body: normalise(v.body) }).toEqual({ t, status: p.status, body: normalise(p.body) });
    }
  });

  it.each(QUERIES)('range: %s', async (q) => {
    const params = `query=${encodeURIComponent(q)}&start=${(START - 10 * MINUTE) / 1000}&end=${(END + 30 * MINUTE) / 1000}&step=180`;
    const { p, v } = await both(`/api/v1/query_range?${params}`);
    expect({ status: v.status, body: normalise(v.body) }).toEqual({ status: p.status, body: normalise(p.body) });
    // Not vacuous: every query but the error cases has data in the range.
    if (p.body.status === 'success') expect(p.body.data.result.length).toBeGreaterThan(0);
  });

  it.each(MATRIX_QUERIES)('instant range selector: %s', async (q) => {
    for (const t of INSTANT_TIMES) {
      const { p, v } = await both(`/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`);
      expect({ t, body: normalise(v.body) }).toEqual({ t, body: normalise(p.body) });
    }
  });

  it('gives the same label names, label values and series', async () => {
    const window = `start=${START / 1000}&end=${END / 1000}`;
    for (const path of [
      `/api/v1/labels?${window}`,
      `/api/v1/label/column/values?${window}`,
      `/api/v1/label/__name__/values?${window}`,
      `/api/v1/series?match[]=${encodeURIComponent('vigil_univariate_drift{model="m1"}')}&match[]=vigil_outlier_rate&${window}`,
      `/api/v1/labels?match[]=vigil_outlier_rate&${window}`,
    ]) {
      const { p, v } = await both(path);
      const sortSeries = (b: any) => (Array.isArray(b.data) && typeof b.data[0] === 'object' ? { ...b, data: [...b.data].map((l: any) => JSON.stringify(Object.entries(l).sort())).sort() } : b);
      expect({ path, body: sortSeries(v.body) }).toEqual({ path, body: sortSeries(p.body) });
    }
  });
});

describe('Vigil answers like Prometheus 2.42 on generated queries', () => {
  /**
   * Well-typed queries of the subset over the same series (promql-arbitrary.ts), instant at two times and
   * as a range query; errors compare by status and errorType (messages differ in wording). fast-check
   * prints the seed and the shrunk query on failure; failures found are kept in REGRESSIONS.
   */
  /**
   * Values compare to 13 significant digits here (the hand-written queries above compare exactly):
   * `^` with a fractional exponent may differ in the last digit (Go's math.Pow, JavaScript's Math.pow),
   * and Prometheus adds the samples of a computed vector (`sum(sum without () (x))`, `sum(a / b)`) in Go
   * map order, which is not even the same from one query to the next (docs/prometheus.md).
   */
  const digits13 = (body: any) =>
    JSON.parse(JSON.stringify(body), (_k, x) => (typeof x === 'string' && /^-?\d/.test(x) && !/^\d+$/.test(x) ? String(Number(Number(x).toPrecision(13))) : x));
  const same = (q: string, label: object, v: { status: number; body: any }, p: { status: number; body: any }) =>
    expect({ q, ...label, status: v.status, body: digits13(normalise(v.body)) }).toEqual({ q, ...label, status: p.status, body: digits13(normalise(p.body)) });

  const tally = { withData: 0, empty: 0, errors: 0 };
  const count = (body: any) => {
    if (body.status !== 'success') tally.errors++;
    else if (body.data.resultType === 'scalar' || body.data.result.length > 0) tally.withData++;
    else tally.empty++;
  };
  const compare = async (q: string) => {
    for (const t of [START + 3 * HOUR + 7 * MINUTE, END + 4 * MINUTE]) {
      const { p, v } = await both(`/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`);
      same(q, { t }, v, p);
    }
    const range = `query=${encodeURIComponent(q)}&start=${(START + HOUR) / 1000}&end=${(END + 30 * MINUTE) / 1000}&step=600`;
    const { p, v } = await both(`/api/v1/query_range?${range}`);
    same(q, {}, v, p);
    count(p.body);
  };

  /**
   * Failures the property found: last-digit differences of `^` (seeds 1, 2) and of sums over computed
   * vectors (seeds 6, 8), and an empty `on()` or `ignoring()` beside a scalar, which Prometheus drops and
   * Vigil refused (seeds 4, 5; fixed in the parser).
   */
  const REGRESSIONS = [
    'sum by () (sum without () (vigil_univariate_drift))',
    '-sum by () (sum by (model, metric) (vigil_realized_performance offset 10m))',
    '(last_over_time(vigil_univariate_drift[5m]) ^ 0.1 >= vigil_univariate_drift_upper_threshold)',
    '0.5 ^ last_over_time(vigil_univariate_drift[5m])',
    'vigil_univariate_drift == on() 0.5 + 0 == bool 0 + vigil_univariate_drift',
    'vigil_univariate_drift + ignoring() 0.5 == vigil_univariate_drift',
    'vigil_univariate_drift + on(model) 0.5',
    // Go's math.Min: -Inf wins over NaN (JavaScript's Math.min gives NaN).
    'clamp_max((vigil_statistic offset 10m) or (vigil_univariate_drift), -(-1) ^ 0.5)',
  ];

  it.each(REGRESSIONS)('agrees on the regression case %s', compare);

  it('agrees on 150 generated queries', async () => {
    await fc.assert(fc.asyncProperty(validQuery, compare), fuzzParams(150));
    // Not vacuous: most range answers hold data, and some are errors both raise.
    expect(tally.withData).toBeGreaterThan(tally.empty + tally.errors);
    expect(tally.errors).toBeGreaterThan(0);
  });

  it('agrees on the regex dialect: RE2 syntax, errors and the timeout parameter', async () => {
    for (const q of [
      'vigil_univariate_drift{column=~"(?i)A|\\\\w"}',
      'vigil_univariate_drift{method=~"\\\\pL+_[[:alpha:]]+", column!~"[^a]"}',
      'vigil_univariate_drift{column=~"(.|.|.)*!"}',
      'vigil_univariate_drift{column=~"(?P<x>a)"}',
      'vigil_univariate_drift{column=~"(?<x>a)"}',
      'vigil_univariate_drift{column=~"(?=a)"}',
      'vigil_univariate_drift{column=~"(a)\\\\1"}',
      'vigil_univariate_drift{column=~"a{1001}"}',
      'vigil_univariate_drift{column=~"(a"}',
    ]) {
      const { p, v } = await both(`/api/v1/query?query=${encodeURIComponent(q)}&time=${(START + 3 * HOUR) / 1000}`);
      // Same answer, and for a bad pattern the same message (Go's, positioned at the matcher's label).
      expect({ q, status: v.status, body: v.body.status === 'error' ? v.body : normalise(v.body) }).toEqual({ q, status: p.status, body: p.body.status === 'error' ? p.body : normalise(p.body) });
    }
    for (const timeout of ['0', '-1', 'abc', '1e400', '30s', '10']) {
      const { p, v } = await both(`/api/v1/query?query=vigil_outlier_rate&time=${(START + 3 * HOUR) / 1000}&timeout=${timeout}`);
      expect({ timeout, status: v.status, body: normalise(v.body) }).toEqual({ timeout, status: p.status, body: normalise(p.body) });
    }
  });
});

describe('the differential corpus: every function and operator of Prometheus 2.42', () => {
  /** Evaluation at 7 s past a minute: no sample (at :17.123) and no subquery point (whole minutes) on a window edge. */
  const OFF_GRID = 7_000;
  const AT = [START + 3 * HOUR + 37 * MINUTE + OFF_GRID, END - 50 * MINUTE + OFF_GRID].map((t) => t / 1000);
  const corpus = differentialCorpus(AT);
  /**
   * Values compare within a relative 1e-12 (about the 12th significant digit): Go's math (Pow,
   * trigonometric and hyperbolic functions, Exp, Log) may differ from JavaScript's in the last digit, and
   * Prometheus adds the samples of computed vectors in Go map order (docs/prometheus.md). Label sets,
   * times, result types and error classes compare exactly.
   */
  const RELATIVE_TOLERANCE = 1e-12;
  const view = (r: { status: number; body: any }) => {
    const b = normalise(r.body);
    return { status: r.status, body: b.status === 'success' ? b : { status: b.status, errorType: b.errorType } };
  };
  /** Equal JSON, but sample values (the second element of each point) within a relative 1e-12. */
  const close = (a: string, b: string) => {
    if (a === b) return true;
    const [x, y] = [Number(a), Number(b)];
    return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
  };
  const samePoint = (p: any, v: any) => Array.isArray(p) && Array.isArray(v) && p.length === 2 && v.length === 2 && p[0] === v[0] && close(p[1], v[1]);
  const sameJson = (p: any, v: any): boolean => {
    if (samePoint(p, v)) return true;
    if (typeof p !== 'object' || p === null || typeof v !== 'object' || v === null) return p === v;
    if (Array.isArray(p) !== Array.isArray(v)) return false;
    const keys = Object.keys(p);
    if (keys.length !== Object.keys(v).length) return false;
    return keys.every((k) => k in v && sameJson(p[k], v[k]));
  };
  const tally = { withData: 0, empty: 0, errors: 0 };

  /** Every difference for one query: instant at two times (with the order of sort/sort_desc), and a range query. */
  async function differences(q: string): Promise<object[]> {
    const diffs: object[] = [];
    const times = [START + 2 * HOUR + 13 * MINUTE + OFF_GRID, END + 3 * MINUTE + OFF_GRID];
    for (const t of times) {
      const { p, v } = await both(`/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`);
      const [pv, vv] = [view(p), view(v)];
      if (!sameJson(pv, vv)) diffs.push({ q, t, prometheus: pv, vigil: vv });
      else if (/^sort(_desc)?\(/.test(q) && p.body.status === 'success') {
        const order = (b: any) => b.data.result.map((r: any) => r.value[1]);
        if (JSON.stringify(order(p.body)) !== JSON.stringify(order(v.body))) diffs.push({ q, t, order: { prometheus: order(p.body), vigil: order(v.body) } });
      }
    }
    const range = `query=${encodeURIComponent(q)}&start=${(START + HOUR + OFF_GRID) / 1000}&end=${(END + 30 * MINUTE + OFF_GRID) / 1000}&step=600`;
    const { p, v } = await both(`/api/v1/query_range?${range}`);
    const [pv, vv] = [view(p), view(v)];
    if (!sameJson(pv, vv)) diffs.push({ q, range: true, prometheus: pv, vigil: vv });
    if (p.body.status !== 'success') tally.errors++;
    else if (p.body.data.result.length > 0) tally.withData++;
    else tally.empty++;
    return diffs;
  }

  it('has at least 500 expressions using every function, aggregation and operator', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(500);
    const text = corpus.join('\n');
    const missing = [
      ...Object.keys(FUNCTIONS).map((f) => `${f}(`),
      ...['topk', 'bottomk', 'quantile', 'stddev', 'stdvar', 'group', 'count_values', 'sum', 'avg', 'min', 'max', 'count'].map((a) => `${a}`),
      ...[' and ', ' or ', ' unless ', ' atan2 ', ' % ', ' ^ ', ' == ', ' != ', ' >= ', ' <= ', ' bool ', 'on(', 'ignoring(', 'group_left', 'group_right', ':]', ':5m]', ' @ ', '@ start()', '@ end()', ' offset '],
    ].filter((piece) => !text.includes(piece));
    expect(missing).toEqual([]);
  });

  it('answers every expression as Prometheus 2.42 does: values, label sets and error classes (0 differences)', async () => {
    const all: object[] = [];
    // A few queries at a time: both servers answer in parallel, the test stays well under two minutes.
    const queue = [...corpus];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let q = queue.shift(); q !== undefined; q = queue.shift()) all.push(...(await differences(q)));
      }),
    );
    if (all.length > 0) fs.writeFileSync(path.join(os.tmpdir(), 'vigil-promql-differences.json'), JSON.stringify(all, null, 1));
    expect(all.slice(0, 5)).toEqual([]);
    expect(all.length).toBe(0);
    // Not vacuous: most range answers hold data, and errors of both classes are compared.
    expect(tally.withData).toBeGreaterThan(2 * (tally.empty + tally.errors));
    expect(tally.errors).toBeGreaterThan(20);
  });
});
