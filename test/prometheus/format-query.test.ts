/**
 * `/api/v1/format_query` against the real Prometheus 2.42 binary: the same answer (status, data, HTTP
 * status) for the differential corpus (every function, aggregation, operator, matching modifier,
 * subquery and `@` of 2.42), for hand-written expressions that exercise the printer's corners (number
 * forms, quoting, durations, unary signs, the 100-character split of Pretty), and the same error class
 * for malformed input.
 */
import express from 'express';
import fc from 'fast-check';
import fs from 'fs';
import path from 'path';
import { goFloat, goQuote } from '../../backend/api/prometheus/format-query';
import { prometheusRouter } from '../../backend/api/prometheus/router';
import { MemorySeriesSource } from '../../backend/api/prometheus/source';
import { getJson, HttpServer, PrometheusServer, serveApp, startPrometheus, tempDir } from './prom-helpers';
import { differentialCorpus, queryLike } from './promql-arbitrary';

jest.setTimeout(120_000);

let dir: string;
let prometheus: PrometheusServer;
let vigil: HttpServer;

beforeAll(async () => {
  dir = tempDir('format-query');
  fs.mkdirSync(path.join(dir, 'data'));
  prometheus = await startPrometheus({ config: 'global: {}\n', dataDir: path.join(dir, 'data') });
  const app = express();
  app.use('/prometheus', prometheusRouter({ source: () => new MemorySeriesSource([]), lookback: { kind: 'window', ms: 300_000 } }));
  vigil = await serveApp(app);
});

afterAll(async () => {
  await vigil?.close();
  await prometheus?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const format = (base: string, query: string) => getJson(`${base}/api/v1/format_query?${new URLSearchParams({ query })}`);

/** Both servers' answers for each query; successes must be equal, errors of the same class. */
async function compare(queries: string[]) {
  const differences: unknown[] = [];
  for (const q of queries) {
    const [ours, theirs] = await Promise.all([format(`${vigil.url}/prometheus`, q), format(prometheus.url, q)]);
    const same = theirs.body.status === 'success' ? JSON.stringify(ours) === JSON.stringify(theirs) : ours.status === theirs.status && ours.body.errorType === theirs.body.errorType;
    if (!same) differences.push({ q, ours: ours.body, theirs: theirs.body });
  }
  return differences;
}

const LONG = [
  'sum by (model, column) (rate(vigil_ingested_rows_total{model=~"model_a|model_b|model_c", column!="ignored"}[5m]))',
  'histogram_quantile(0.99, sum without (instance, pod) (rate(vigil_recompute_duration_seconds_bucket{model="a"}[10m])))',
  'vigil_outlier_rate{model="a_very_long_model_name_for_testing"} > on (model) group_left (metric) vigil_outlier_rate_upper_threshold{model="x"}',
  'topk(5, max_over_time(vigil_univariate_drift{model="m1",column=~"feature_.*",method="jensen_shannon"}[1h:5m] offset 10m))',
  '-(vigil_outlier_rate{model="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} + vigil_outlier_rate{model="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"})',
  'label_replace(vigil_statistic{model="m1", column="age"}, "dst_label_name", "$1", "src_label_name", "(.*)_suffix_to_strip")',
  'count_values("value_label_for_counting", vigil_univariate_drift_alert{model="m1", column="a", method="kolmogorov_smirnov"})',
];

const CORNERS = [
  '1', '1.0', '0x1F', '1e6', '123456789', '0.0001', '0.00001', '1.5e-7', '-1', '+1', '- -1', '-(1)', 'Inf', '-Inf', 'NaN',
  '"a\\"b"', "'single'", '`raw\\n`', '"\\t\\x01\\u00e9"',
  'x{b="2",a="1"}', '{__name__="x"}', '{__name__="x",a="1"}', 'x{__name__="x"}', 'x{a=~"b|c",d!~"e"}',
  'x[90s]', 'x[1h30m] offset 1d', 'x offset -5m', 'x @ 100', 'x @ 1.5 offset 1m', 'x[5m] @ start()', 'rate(x[5m])[30m:1m] @ end()', 'x[10m:]',
  'sum(x) by (a)', 'sum without () (x)', 'sum by () (x)', 'topk(3, x)', 'quantile(0.5, x)', 'count_values("v", x)',
  'a + on () b', 'a + ignoring () b', 'a * on (x) group_left b', 'a * on (x) group_right (y, z) b', 'a == bool b', '1 > bool 2', 'a and on (x) b', 'a unless b',
  'a atan2 b', '2 ^ 3 ^ 2', '-2 ^ 2', '(a + b) * c', 'time()', 'vector(1)', 'scalar(x) + 1', 'abs(-x)',
];

describe('format_query answers as Prometheus 2.42 does', () => {
  it('over the differential corpus (every function, aggregation and operator)', async () => {
    const corpus = differentialCorpus([1_700_000_100.5]);
    expect(corpus.length).toBeGreaterThan(400);
    expect(await compare(corpus)).toEqual([]);
  });

  it('on the printer corners and on expressions longer than a line (Pretty splits them)', async () => {
    expect(await compare([...CORNERS, ...LONG])).toEqual([]);
    // The long ones did take the multi-line path.
    const res = await format(`${vigil.url}/prometheus`, LONG[0]);
    expect(res.body.data).toContain('\n');
  });

  it('with the same error class on malformed input', async () => {
    const queries = fc.sample(queryLike, { numRuns: 200, seed: 14 });
    expect(await compare(['', 'sum(', 'x{', 'x[5m', '1 +', ...queries])).toEqual([]);
  });

  it('by POST form as well', async () => {
    const res = await getJson(`${vigil.url}/prometheus/api/v1/format_query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=sum(rate(x[5m]))by(a)' });
    expect(res.body).toEqual({ status: 'success', data: 'sum by (a) (rate(x[5m]))' });
  });
});

it('prints floats and strings as Go does', () => {
  expect([1, 0.5, 1e6, 123456, 1.5e-5, 1e21, -2.5e-7, Infinity, -Infinity, NaN].map(goFloat)).toEqual(['1', '0.5', '1e+06', '123456', '1.5e-05', '1e+21', '-2.5e-07', '+Inf', '-Inf', 'NaN']);
  expect(goQuote('a"b\\c\n\x01é\u0085')).toBe('"a\\"b\\\\c\\n\\x01é\\u0085"');
});
