/**
 * @jest-environment node
 */
// The dashboards: the provisioned copies in dashboards/ (fixed uids, provisioned data-source uids) and
// the copies the plugin bundles (plugin.json `includes`), made from them at build time by
// scripts/plugin-dashboards.js. Both are checked against Grafana's dashboard schema from
// @grafana/schema (support/dashboard-schema.ts); the validator-rule test checks that the packed zip
// holds exactly these bundled copies.
import fs from 'node:fs';
import path from 'node:path';
import { dashboardSchemaErrors } from './support/dashboard-schema';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { toPluginDashboard, dataSourceRefs, PLUGIN_INPUT, PROMETHEUS_VARIABLE } = require('../../scripts/plugin-dashboards');

const ROOT = path.resolve(__dirname, '../..');
const readJson = (rel: string) => JSON.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8'));
const pluginJson = { ...readJson('src/plugin.json'), info: { ...readJson('src/plugin.json').info, version: readJson('package.json').version } };
const FILES = fs
  .readdirSync(path.join(ROOT, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => `dashboards/${f}`);
const provisioned: Record<string, any> = Object.fromEntries(FILES.map((f) => [f, readJson(f)]));
const bundled: Record<string, any> = Object.fromEntries(FILES.map((f) => [f, toPluginDashboard(provisioned[f], pluginJson, f)]));

// Grafana's core panel plugins these dashboards may use (public/app/plugins/panel/*)
const CORE_PANELS = new Set(['row', 'stat', 'timeseries', 'table', 'bargauge', 'gauge', 'barchart', 'state-timeline', 'status-history', 'text', 'piechart', 'heatmap', 'histogram']);
const BUILT_IN_UIDS = new Set(['-- Grafana --', '-- Mixed --', '-- Dashboard --', '__expr__']);

/** `__inputs`/`__requires` are import instructions Grafana reads and drops; the rest is the dashboard. */
const withoutImportFields = ({ __inputs: _i, __requires: _r, ...dashboard }: any) => dashboard;

const allPanels = (list: any[]): any[] => list.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

let schemaErrors: Record<string, string[]>;
beforeAll(() => {
  schemaErrors = dashboardSchemaErrors({
    ...Object.fromEntries(FILES.map((f) => [`${f} (provisioned)`, provisioned[f]])),
    ...Object.fromEntries(FILES.map((f) => [`${f} (bundled)`, withoutImportFields(bundled[f])])),
    unversioned: { title: 'no schemaVersion', panels: [] },
    broken: { title: 'broken', panels: [{ type: 'stat', gridPos: { x: 0 } }], templating: { list: [{ type: 'nope', name: 'v' }] }, links: [{ title: 'l' }] },
  });
}, 60_000);

describe('dashboards against Grafana’s dashboard schema (@grafana/schema)', () => {
  it.each(FILES)('%s, provisioned and bundled, has no schema error', (file) => {
    expect(schemaErrors[`${file} (provisioned)`]).toEqual([]);
    expect(schemaErrors[`${file} (bundled)`]).toEqual([]);
  });

  it('is a real check: dashboards fail on a missing schemaVersion, grid position, variable type and link fields', () => {
    expect(schemaErrors.unversioned.join('\n')).toMatch(/Property 'schemaVersion' is missing/);
    const errors = schemaErrors.broken.join('\n');
    expect(errors).toMatch(/missing the following properties from type 'GridPos': h, w, y/);
    expect(errors).toMatch(/"nope"' is not assignable to type 'VariableType'/);
    expect(errors).toMatch(/from type 'DashboardLink'/);
  });
});

describe('provisioned dashboards', () => {
  it('have fixed, unique uids and unique panel ids of core panel types on a 24-column grid', () => {
    const uids = FILES.map((f) => provisioned[f].uid);
    expect(new Set(uids).size).toBe(FILES.length);
    for (const f of FILES) {
      expect(provisioned[f].uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      const panels = allPanels(provisioned[f].panels);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels) {
        expect({ file: f, panel: p.id, type: CORE_PANELS.has(p.type) }).toEqual({ file: f, panel: p.id, type: true });
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    }
  });

  it('name data sources as {type, uid} of the provisioned Vigil plugin, its Prometheus API, or Grafana’s built-ins', () => {
    for (const f of FILES) {
      for (const { ref, where } of dataSourceRefs(provisioned[f])) {
        const ok = BUILT_IN_UIDS.has(ref.uid) || (ref.type === pluginJson.id && ref.uid === 'vigil') || (ref.type === 'prometheus' && ref.uid === 'vigil-prometheus');
        expect({ where: `${f}${where}`, ref, ok }).toEqual({ where: `${f}${where}`, ref, ok: true });
      }
    }
  });
});

describe('bundled dashboards (plugin.json includes)', () => {
  it('are exactly the provisioned dashboards, listed by path and title', () => {
    const includes = pluginJson.includes.filter((i: any) => i.type === 'dashboard');
    expect(includes.map((i: any) => i.path).sort()).toEqual([...FILES].sort());
    for (const i of includes) expect(i.name).toBe(provisioned[i.path].title);
  });

  it('use no fixed data-source uid: the plugin through the ${DS_VIGIL} input, Prometheus through a data-source variable', () => {
    for (const f of FILES) {
      const d = bundled[f];
      const refs = dataSourceRefs(d).map((r: any) => r.ref);
      for (const ref of refs.filter((r: any) => !BUILT_IN_UIDS.has(r.uid) && r.type !== 'grafana')) {
        expect(ref.uid).toBe(ref.type === pluginJson.id ? `\${${PLUGIN_INPUT}}` : `\${${PROMETHEUS_VARIABLE}}`);
      }
      // every input is used and every ${DS_...} used is declared, with the plugin's id
      const used = new Set(JSON.stringify(d).match(/\$\{DS_[A-Z0-9_]+\}/g) ?? []);
      expect(new Set(d.__inputs.map((i: any) => `\${${i.name}}`))).toEqual(used);
      for (const input of d.__inputs) expect(input).toMatchObject({ type: 'datasource', pluginId: pluginJson.id });
      // the Prometheus variable comes first (others read through it) and defaults to the provisioned uid
      if (refs.some((r: any) => r.type === 'prometheus')) {
        expect(d.templating.list[0]).toMatchObject({ type: 'datasource', name: PROMETHEUS_VARIABLE, query: 'prometheus', current: { value: 'vigil-prometheus' } });
      }
      expect(d.uid).toBe(provisioned[f].uid);
      expect(d.__requires[0]).toEqual({ type: 'grafana', id: 'grafana', name: 'Grafana', version: pluginJson.dependencies.grafanaDependency.replace(/^>=\s*/, '') });
    }
    // the model-detail dashboard holds plugin panels, so it asks for the Vigil data source on import
    expect(bundled['dashboards/vigil-model.json'].__inputs).toHaveLength(1);
  });

  it('refuses a dashboard on a data source it cannot map, saying where', () => {
    const dashboard = { title: 't', panels: [{ id: 1, type: 'stat', datasource: { type: 'loki', uid: 'logs' } }] };
    expect(() => toPluginDashboard(dashboard, pluginJson, 'dashboards/x.json')).toThrow("dashboards/x.json.panels[0].datasource: data source type 'loki' is neither the plugin nor Prometheus");
    const byName = { title: 't', panels: [{ id: 1, type: 'stat', datasource: 'Vigil' }] };
    expect(() => toPluginDashboard(byName, pluginJson, 'dashboards/y.json')).toThrow(/dashboards\/y\.json\.panels\[0\]\.datasource: a data source reference must be \{type, uid\}/);
  });
});
