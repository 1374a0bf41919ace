/**
 * The demo at six times of one day raises no alert outside the planted events (issue 12, "Must show").
 *
 * For each time, the real `vigil demo --now <time>` (the CLI, default size: 600 rows a day) starts on a
 * fresh SQLite file; its clock is pinned there, so the last day is open (still filling) as it would be at
 * that time. Every provisioned Grafana rule (provisioning/alerting/*.yaml: A = the PromQL on the
 * vigil-prometheus data source, B = reduce last, C = threshold) and the README's example expression are
 * evaluated through the server's `/prometheus/api/v1/query` at that instant.
 *
 * What should fire: the last closed chunk is analysis day 58 (the open day is day 59). Of the planted
 * events (backend/demo/dataset.ts DEMO_EVENTS) only the concept shift (days 48–59) covers it, and it
 * shows in realized performance and concept drift, which need targets: days 57–59 have none yet, so day
 * 58's realized metrics are undefined and no rule fires. Every day's rows depend only on the seed and the
 * day's number (not on the end time), so this holds at any `--now`. The default demo also holds
 * `demo_regions` (drift planted in its west segment on days 5–15 only), so the same holds for it.
 * As a control that the same expressions do fire where events were planted, each rule is also evaluated
 * at noon of a planted day (those chunks are closed).
 *
 * Before open chunks were kept from alerting, the README's expression fired on 9 columns at 01:00, 6 at
 * 06:40, 4 at 12:00 and 1 at 20:00: all on the open day.
 */
import fs from 'fs';
import path from 'path';
import YAML from 'yaml';
import { DEMO_EVENTS } from '../../backend/demo/dataset';
import { SEGMENTED_DEMO_DAYS } from '../../backend/demo/segmented';
import { call, startVigil, tempDir, Vigil } from '../server/helpers';
import { rel } from './provisioning-files';

const DAY = 86_400_000;
const DATE = '2026-03-15';
const TIMES = ['00:30', '01:00', '06:40', '12:00', '20:00', '23:59'];

interface Rule {
  title: string;
  expr: string;
  /** C's threshold on B = last(A). */
  fires: (v: number) => boolean;
}

/** Every provisioned Grafana rule whose A queries Vigil's Prometheus API, with its threshold. */
function provisionedRules(): Rule[] {
  const dir = rel('provisioning', 'alerting');
  const rules = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => (YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')).groups ?? []).flatMap((g: any) => g.rules ?? []));
  const out: Rule[] = [];
  for (const r of rules) {
    const a = r.data.find((q: any) => q.refId === 'A');
    if (a.datasourceUid !== 'vigil-prometheus') continue;
    const b = r.data.find((q: any) => q.refId === 'B');
    const c = r.data.find((q: any) => q.refId === r.condition);
    expect([r.title, b.model.type, b.model.reducer, b.model.expression]).toEqual([r.title, 'reduce', 'last', 'A']);
    expect([r.title, c.model.type, c.model.expression]).toEqual([r.title, 'threshold', 'B']);
    const { type, params } = c.model.conditions[0].evaluator;
    const fires = type === 'gt' ? (v: number) => v > params[0] : type === 'lt' ? (v: number) => v < params[0] : null;
    if (!fires) throw new Error(`rule ${r.title}: threshold type ${type} not handled by this test`);
    out.push({ title: r.title, expr: a.model.expr, fires });
  }
  return out;
}

/** The README's example alert expression (section "Prometheus"). */
function readmeExpression(): string {
  const m = /`(max by \(column\) \(vigil_univariate_drift_alert\{model="demo"\}\) == 1)`/.exec(fs.readFileSync(rel('README.md'), 'utf8'));
  if (!m) throw new Error('README.md no longer holds the example alert expression');
  return m[1];
}

const labelSet = (m: Record<string, string>) =>
  Object.keys(m)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${m[k]}`)
    .join(',');

async function instant(vigil: Vigil, expr: string, at: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await call(vigil.url, 'GET', `/prometheus/api/v1/query?query=${encodeURIComponent(expr)}&time=${at / 1000}`);
  expect([expr, r.status]).toEqual([expr, 200]);
  return r.body.data.result;
}

/** Label sets of the alert instances a rule fires at `at`. */
async function firing(vigil: Vigil, rule: Rule, at: number): Promise<string[]> {
  return (await instant(vigil, rule.expr, at))
    .filter((s) => rule.fires(Number(s.value[1])))
    .map((s) => labelSet(s.metric))
    .sort();
}

async function startDemo(now: string): Promise<{ vigil: Vigil; dir: string }> {
  const dir = tempDir('vigil-demo-times-');
  const vigil = await startVigil({ command: 'demo', db: path.join(dir, 'demo.db'), args: ['--now', now], timeoutMs: 120_000 });
  for (const t0 = Date.now(); (await call(vigil.url, 'GET', '/readyz')).status !== 200; ) {
    if (Date.now() - t0 > 120_000) throw new Error('the demo did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { vigil, dir };
}

const rules = provisionedRules();
const readme = readmeExpression();

test('the rules read by this test are the provisioned ones', () => {
  expect(rules.map((r) => r.title)).toEqual(expect.arrayContaining(['Univariate drift', 'Multivariate drift', 'Outlier rate', 'Data quality', 'Realized performance', 'Concept drift']));
});

describe.each(TIMES)(`vigil demo --now ${DATE}T%s:00Z`, (time) => {
  const now = Date.parse(`${DATE}T${time}:00Z`);
  let vigil: Vigil;
  let dir: string;

  beforeAll(async () => {
    ({ vigil, dir } = await startDemo(new Date(now).toISOString()));
  }, 180_000);

  afterAll(async () => {
    if (vigil) expect(await vigil.stop()).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('no provisioned rule and not the README expression fires: nothing planted covers the last closed day', async () => {
    const fired: Record<string, string[]> = {};
    for (const rule of rules) fired[rule.title] = await firing(vigil, rule, now);
    fired.README = (await instant(vigil, readme, now)).map((s) => labelSet(s.metric));
    expect(fired).toEqual(Object.fromEntries([...rules.map((r) => [r.title, []]), ['README', []]]));
  });

  test('the open day is exported, marked partial="true", and its alerts are 0', async () => {
    const open = await instant(vigil, '{__name__=~"vigil_.+", partial="true"}', now);
    const families = new Set(open.map((s) => s.metric.__name__.replace(/_(alert|upper_threshold|lower_threshold|upper_confidence_bound|lower_confidence_bound|sampling_error|realized)$/, '')));
    expect([...families].sort()).toEqual(
      expect.arrayContaining(['vigil_data_quality', 'vigil_estimated_performance', 'vigil_multivariate_drift', 'vigil_outlier_rate', 'vigil_univariate_drift']),
    );
    const alerts = open.filter((s) => s.metric.__name__.endsWith('_alert'));
    expect(alerts.length).toBeGreaterThan(40);
    expect(alerts.filter((s) => s.value[1] !== '0').map((s) => labelSet(s.metric))).toEqual([]);
    // /metrics: no alert=1 on an open chunk
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    const openAlertLines = metrics.split('\n').filter((l) => /^vigil_\w+_alert\{.*partial="true"/.test(l));
    expect(openAlertLines.length).toBe(alerts.length);
    expect(openAlertLines.filter((l) => !l.endsWith(' 0'))).toEqual([]);
  });

  test('the same expressions fire on the planted events (closed days)', async () => {
    const analysisStart = Date.parse(DATE) - 59 * DAY;
    const noonOf = (day: number) => analysisStart + day * DAY + DAY / 2;
    const rule = (title: string) => rules.find((r) => r.title === title)!;
    const drift = await firing(vigil, rule('Univariate drift'), noonOf(DEMO_EVENTS.covariateDrift[0] + 5));
    expect(drift).toEqual(expect.arrayContaining(['column=income,method=wasserstein,model=demo', 'column=region,method=jensen_shannon,model=demo']));
    expect(await firing(vigil, rule('Data quality'), noonOf(DEMO_EVENTS.dataQuality[0] + 1))).toEqual([
      'column=channel,metric=unseen_values,model=demo',
      'column=credit_score,metric=missing_values,model=demo',
      'column=debt_ratio,metric=missing_values,model=demo',
      'column=debt_ratio,metric=type_inconsistent_values,model=demo',
      // the segmented demo model gets the same rows, and the server checks every model's types
      'column=debt_ratio,metric=type_inconsistent_values,model=demo_regions',
    ]);
    // the segmented demo model's west drift (backend/demo/segmented.ts) fires the drift rule, whose
    // `max by (model, column, method)` takes the segments' series in; nothing else of that model does
    const west = await firing(vigil, rule('Univariate drift'), noonOf(SEGMENTED_DEMO_DAYS[0] + 5));
    expect(west.filter((l) => l.endsWith('model=demo_regions'))).toEqual(['column=income,method=jensen_shannon,model=demo_regions']);
    expect(await firing(vigil, rule('Outlier rate'), noonOf(DEMO_EVENTS.outliers[0] + 1))).toEqual(['metric=outlier_rate,model=demo']);
    expect(await firing(vigil, rule('Realized performance'), noonOf(DEMO_EVENTS.conceptShift[0] + 2))).toContain('metric=roc_auc,model=demo');
  });
});
