/**
 * Structural checks of provisioning/, dashboards/, the Prometheus rules and docker-compose.yml, without a
 * running Grafana (none can run here): every data source uid and type referenced exists, every alert
 * rule's condition and expressions refer to refIds it defines, every PromQL expression parses in Vigil's
 * subset, every plugin query fits the plugin's query model, and the Prometheus files pass promtool.
 * Live checks against the real server (series returned, plugin queries answered) are in live.test.ts.
 */
import fs from 'fs';
import path from 'path';
import { familyById } from '../../backend/engine/catalog';
import { parseQuery } from '../../backend/api/prometheus/parser';
import { FORMATS, isColumnFamily, PERIODS, RESULT_FIELDS } from '../../src/types';
import { promtool, run, tempDir } from '../prometheus/prom-helpers';
import {
  alerting,
  alertRules,
  DASHBOARD_FILES,
  dashboardDatasourceRefs,
  dashboardQueries,
  datasources,
  prometheusRules,
  readJson,
  readYaml,
  rel,
  substitutePromQL,
} from './provisioning-files';

const PLUGIN = readJson('src/plugin.json');
const EXPRESSION_UID = '__expr__';
const GRAFANA_BUILTIN_UID = '-- Grafana --';
/** Stand-ins for template variables, enough to parse (live.test.ts uses the demo's real values). */
const VARIABLE_STANDINS = { model: 'demo', column: 'age', method: 'jensen_shannon', metric: 'roc_auc', __interval: '1m', __rate_interval: '4m', __range: '1d' };

describe('data sources', () => {
  const list = datasources();

  it('have unique uids and names', () => {
    expect(new Set(list.map((d) => d.uid)).size).toBe(list.length);
    expect(new Set(list.map((d) => d.name)).size).toBe(list.length);
  });

  it('provision the plugin by its plugin.json id', () => {
    const plugin = list.find((d) => d.uid === 'vigil')!;
    expect(plugin.type).toBe(PLUGIN.id);
    expect(plugin.secureJsonData?.apiKey).toBe('${VIGIL_READ_KEY}');
    expect(plugin.jsonData?.prometheusUid).toBe('vigil-prometheus');
  });

  it('provision the Prometheus data source on Vigil as the spec asks (§4(a))', () => {
    const prom = list.find((d) => d.uid === 'vigil-prometheus')!;
    expect(prom).toMatchObject({ type: 'prometheus', url: 'http://vigil:8700/prometheus' });
    expect(prom.jsonData).toMatchObject({ httpMethod: 'POST', manageAlerts: false, disableRecordingRules: true, timeInterval: '1m', httpHeaderName1: 'Authorization' });
    expect(prom.secureJsonData?.httpHeaderValue1).toBe('Bearer ${VIGIL_READ_KEY}');
  });
});

describe('alert rules', () => {
  const uids = new Set(datasources().map((d) => d.uid));
  const rules = alertRules();

  it('cover drift, outliers, data quality, estimated-performance drop and concept drift', () => {
    const exprs = rules.map((r) => r.data.find((q) => q.refId === 'A')!.model.expr as string).join('\n');
    for (const series of ['vigil_univariate_drift', 'vigil_outlier_rate', 'vigil_data_quality', 'vigil_estimated_performance', 'vigil_concept_drift']) {
      expect(exprs).toContain(series);
    }
    // Thresholds computed by Vigil: the `_alert` series or the value against `_upper_threshold`.
    const health = alerting().groups.find((g) => g.name === 'vigil-model-health')!.rules;
    for (const r of health) expect(r.data.find((q) => q.refId === 'A')!.model.expr).toMatch(/_alert\b|_upper_threshold\b/);
  });

  it('watch every model for missing rows and unresolved errors, on gauges Vigil serves (no time() or increase())', () => {
    const service = alerting().groups.find((g) => g.name === 'vigil-model-service')!.rules;
    const exprs = service.map((r) => r.data.find((q) => q.refId === 'A')!.model.expr as string);
    expect(exprs).toEqual([expect.stringContaining('vigil_model_ingest_age_seconds'), expect.stringContaining('vigil_model_unresolved_errors')]);
    for (const e of exprs) expect(e).not.toMatch(/\b(time|increase|rate)\(/);
    // No rows yet is not an alert; no errors gauge at all (it exists per model) is: no model is served.
    expect(service.map((r) => r.noDataState)).toEqual(['OK', 'NoData']);
  });

  it.each(rules.map((r) => [r.uid, r] as const))('%s: refIds, data sources and expressions are consistent', (_uid, rule) => {
    const refIds = rule.data.map((q) => q.refId);
    expect(new Set(refIds).size).toBe(refIds.length);
    expect(refIds).toContain(rule.condition);
    rule.data.forEach((q, i) => {
      expect(q.model.refId).toBe(q.refId);
      if (q.datasourceUid === EXPRESSION_UID) {
        // Server-side expressions refer to queries defined before them.
        expect(refIds.slice(0, i)).toContain(q.model.expression);
        expect(['reduce', 'threshold', 'math', 'classic_conditions', 'resample']).toContain(q.model.type);
      } else {
        expect(uids.has(q.datasourceUid)).toBe(true);
        expect(q.model.datasource?.uid).toBe(q.datasourceUid);
        expect(q.model).toMatchObject({ instant: true, range: false });
        expect(() => parseQuery(q.model.expr)).not.toThrow();
      }
    });
  });

  it('send notifications to the provisioned webhook contact point, each rule by its notification_settings', () => {
    const doc = alerting();
    const receivers = doc.contactPoints.map((c) => c.name);
    for (const r of rules) expect(receivers).toContain(r.notification_settings?.receiver);
    // No policy tree: that would replace the organisation's (grafana-rules.test.ts).
    expect(doc).not.toHaveProperty('policies');
    expect(doc.contactPoints[0].receivers[0]).toMatchObject({ type: 'webhook', settings: { url: '${VIGIL_ALERT_WEBHOOK_URL}' } });
  });

  it('have a Prometheus twin with the same expression, so scraped /metrics alert alike', () => {
    const prom = prometheusRules();
    for (const r of rules) {
      const expr = r.data.find((q) => q.refId === 'A')!.model.expr;
      expect(prom.filter((p) => p.expr === `${expr} > 0`)).toHaveLength(1);
    }
    for (const p of prom.filter((x) => x.group === 'vigil-model-health')) expect(() => parseQuery(p.expr)).not.toThrow();
  });
});

describe('Prometheus files pass promtool', () => {
  it('check rules and the rules unit tests', async () => {
    const check = await promtool(['check', 'rules', rel('provisioning/prometheus/vigil-alerts.rules.yml')]);
    expect(check.stdout + check.stderr).toContain('SUCCESS');
    const test = await promtool(['test', 'rules', rel('test/provisioning/vigil-alerts.test.yml')]);
    expect({ code: test.code, out: test.stdout }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS') });
  });

  it('check config (with the container paths mapped to the repository)', async () => {
    const dir = tempDir('promcfg');
    try {
      fs.writeFileSync(path.join(dir, 'key'), 'k');
      const config = fs
        .readFileSync(rel('provisioning/prometheus/prometheus.yml'), 'utf8')
        .replaceAll('/etc/prometheus/vigil-alerts.rules.yml', rel('provisioning/prometheus/vigil-alerts.rules.yml'))
        .replaceAll('/prometheus/vigil-read-key', path.join(dir, 'key'));
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
      const check = await promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect({ code: check.code, out: check.stdout + check.stderr }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(DASHBOARD_FILES)('dashboard %s', (file) => {
  const dash = readJson(file);
  const byUid = new Map(datasources().map((d) => [d.uid, d]));

  it('has the essentials of the JSON model (§6)', () => {
    expect(dash.uid.length).toBeGreaterThanOrEqual(8);
    expect(dash.uid.length).toBeLessThanOrEqual(40);
    expect(typeof dash.schemaVersion).toBe('number');
    const all = (list: any[]): any[] => list.flatMap((p) => [p, ...all(p.panels ?? [])]);
    const panels = all(dash.panels);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.gridPos.w).toBeGreaterThan(0);
    }
  });

  it('refers only to provisioned data sources, by uid and matching type', () => {
    const refs = dashboardDatasourceRefs(file);
    expect(refs.length).toBeGreaterThan(0);
    for (const { where, ref } of refs) {
      if (ref.uid === GRAFANA_BUILTIN_UID) continue;
      const ds = byUid.get(ref.uid!);
      expect({ where, uid: ref.uid, exists: !!ds }).toEqual({ where, uid: ref.uid, exists: true });
      expect({ where, type: ref.type }).toEqual({ where, type: ds!.type });
    }
  });

  it('uses only template variables it defines', () => {
    const defined = new Set((dash.templating?.list ?? []).map((v: any) => v.name));
    const builtins = new Set(['__interval', '__rate_interval', '__range', '__all', '__url_time_range', '__field', '__value']);
    const used = JSON.stringify(dash).match(/\$\{?(\w+)/g) ?? [];
    for (const u of used) {
      const name = u.replace(/^\$\{?/, '');
      expect({ variable: name, defined: defined.has(name) || builtins.has(name) }).toEqual({ variable: name, defined: true });
    }
  });

  it.each(dashboardQueries(file).map((q) => [q.where, q] as const))('%s is a valid query', (_where, q) => {
    const ds = byUid.get(q.datasource!.uid!)!;
    if (ds.type === 'prometheus') {
      const expr: string = q.target.expr;
      const labelValues = /^label_values\((?:(.+),\s*)?(\w+)\)$/.exec(expr);
      if (labelValues) {
        if (labelValues[1]) expect(() => parseQuery(substitutePromQL(labelValues[1], VARIABLE_STANDINS))).not.toThrow();
      } else {
        expect(() => parseQuery(substitutePromQL(expr, VARIABLE_STANDINS))).not.toThrow();
      }
      return;
    }
    expect(ds.type).toBe(PLUGIN.id);
    const t = q.target;
    if (t.variable) {
      expect(['models', 'columns', 'metrics']).toContain(t.kind);
      if (t.kind === 'metrics') expect(familyById(t.family)).toBeDefined();
      return;
    }
    if (t.queryType === 'alerts') {
      expect(typeof t.model).toBe('string');
      return;
    }
    // A series query of the plugin's model (src/types.ts).
    expect(t.queryType ?? 'series').toBe('series');
    expect(familyById(t.family)).toBeDefined();
    expect(typeof t.model).toBe('string');
    expect(Array.isArray(t.metrics)).toBe(true);
    for (const f of t.fields) expect(RESULT_FIELDS).toContain(f);
    expect(PERIODS).toContain(t.period);
    expect(FORMATS).toContain(t.format);
    expect('columns' in t).toBe(isColumnFamily(t.family));
    if ('segment' in t) expect(typeof t.segment).toBe('string');
  });
});

describe('docker-compose.yml', () => {
  const compose = readYaml('docker-compose.yml');
  const grafana = compose.services.grafana;

  it('pins a Grafana at or above the plugin grafanaDependency', () => {
    const version = /^grafana\/grafana(?:-oss)?:(\d+)\.(\d+)\.(\d+)$/.exec(grafana.image);
    expect(version).not.toBeNull();
    const range = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(PLUGIN.dependencies.grafanaDependency);
    expect(range).not.toBeNull();
    const num = (m: RegExpExecArray) => Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
    expect(num(version!)).toBeGreaterThanOrEqual(num(range!));
  });

  it('mounts the built plugin, allows it unsigned, and mounts provisioning and dashboards where they are read', () => {
    expect(grafana.volumes).toContain(`./dist:/var/lib/grafana/plugins/${PLUGIN.id}:ro`);
    expect(grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',')).toContain(PLUGIN.id);
    for (const kind of ['datasources', 'dashboards', 'alerting']) expect(grafana.volumes).toContain(`./provisioning/${kind}:/etc/grafana/provisioning/${kind}:ro`);
    const provider = readYaml('provisioning/dashboards/vigil.yaml').providers[0];
    expect(grafana.volumes).toContain(`./dashboards:${provider.options.path}:ro`);
    expect(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${provider.options.path}/vigil-overview.json`);
    // Every ${VAR} the provisioning files read is set for Grafana.
    const provisioning = ['datasources/vigil.yaml', 'alerting/vigil.yaml'].map((f) => fs.readFileSync(rel('provisioning', f), 'utf8')).join('\n');
    for (const [, name] of provisioning.matchAll(/\$\{(\w+)\}/g)) expect(Object.keys(grafana.environment)).toContain(name);
  });

  it('has healthchecks for Grafana (/api/health) and Prometheus (/-/ready), as Vigil has (/readyz)', () => {
    const check = (service: string) => compose.services[service].healthcheck;
    expect(check('grafana').test).toEqual(['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:3000/api/health || exit 1']);
    expect(check('prometheus').test).toEqual(['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:9090/-/ready || exit 1']);
    for (const s of ['grafana', 'prometheus']) expect(check(s)).toMatchObject({ interval: expect.any(String), retries: expect.any(Number), start_period: expect.any(String) });
    expect(fs.readFileSync(rel('Dockerfile'), 'utf8')).toMatch(/HEALTHCHECK[^\n]*\n.*\/readyz/);
  });

  it('stops `up` with a message when dist/ holds no built plugin (the check run on an empty and a built dist)', async () => {
    const gate = compose.services['plugin-built'];
    expect(grafana.depends_on['plugin-built']).toEqual({ condition: 'service_completed_successfully' });
    expect(gate.image).toBe(grafana.image);
    const [mount] = gate.volumes as string[];
    expect(mount).toBe('./dist:/plugin:ro');
    expect(gate.entrypoint.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    // The message names a build script that exists.
    const pkg = readJson('package.json');
    expect(gate.entrypoint[2]).toContain('npm run build');
    expect(pkg.scripts.build).toMatch(/webpack/);
    const dir = tempDir('dist');
    try {
      const script = gate.entrypoint[2].replaceAll('/plugin/', `${dir}/`);
      const empty = await run('/bin/sh', ['-c', script]);
      expect({ code: empty.code, err: empty.stderr }).toEqual({ code: 1, err: expect.stringContaining('dist/ holds no built plugin') });
      fs.writeFileSync(path.join(dir, 'plugin.json'), '{}');
      fs.writeFileSync(path.join(dir, 'module.js'), 'define([],function(){})');
      expect((await run('/bin/sh', ['-c', script])).code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('profile postgres: two Vigil replicas serving from the PostgreSQL service, with its credentials, once it is healthy', () => {
    const pg = compose.services.postgres;
    expect(pg.profiles).toEqual(['postgres']);
    expect(pg.healthcheck.test.join(' ')).toContain('pg_isready');
    for (const [name, port] of [['vigil-a', 8701], ['vigil-b', 8702]] as const) {
      const r = compose.services[name];
      expect(r.profiles).toEqual(['postgres']);
      expect(r.depends_on.postgres).toEqual({ condition: 'service_healthy' });
      expect(r.ports).toEqual([`${port}:8700`]);
      const db = r.command[r.command.indexOf('--db') + 1] as string;
      const url = new URL(db.replace(/\$\{VIGIL_PG_PASSWORD:-(\w+)\}/, '$1'));
      expect([url.protocol, url.username, url.password, url.host, url.pathname]).toEqual(['postgres:', pg.environment.POSTGRES_USER, 'vigil', 'postgres:5432', `/${pg.environment.POSTGRES_DB}`]);
      expect(pg.environment.POSTGRES_PASSWORD).toBe('${VIGIL_PG_PASSWORD:-vigil}');
      expect(r.command.slice(0, 3)).toEqual(['node', 'bin/vigil.js', 'serve']);
      expect(r.environment.VIGIL_WRITE_KEY).toBe(compose.services.vigil.environment.VIGIL_WRITE_KEY);
    }
  });

  it('builds Vigil from the Dockerfile and points Prometheus at its rules and /metrics', () => {
    expect(compose.services.vigil.build).toBe('.');
    expect(fs.existsSync(rel('Dockerfile'))).toBe(true);
    expect(compose.services.vigil.environment.VIGIL_READ_KEY).toBeDefined();
    const prom = compose.services.prometheus;
    expect(prom.volumes).toContain('./provisioning/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const config = readYaml('provisioning/prometheus/prometheus.yml');
    for (const ruleFile of config.rule_files) expect(prom.volumes).toContain(`./provisioning/prometheus/${path.basename(ruleFile)}:${ruleFile}:ro`);
    expect(config.scrape_configs[0].static_configs[0].targets).toEqual(['vigil:8700']);
    expect(prom.entrypoint.join(' ')).toContain(config.scrape_configs[0].authorization.credentials_file);
    // The data source URLs point at the compose services.
    const urls = datasources().map((d) => d.url);
    expect(urls).toEqual(expect.arrayContaining(['http://vigil:8700', 'http://vigil:8700/prometheus', 'http://prometheus:9090']));
  });
});
