/**
 * Reading the shipped Grafana/Prometheus files for the structural and live tests: data sources, alert
 * rules, dashboards (with every query they hold), the Prometheus rules file and docker-compose.yml.
 */
import fs from 'fs';
import path from 'path';
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');
export const rel = (...p: string[]) => path.join(ROOT, ...p);

export const readYaml = (file: string) => YAML.parse(fs.readFileSync(rel(file), 'utf8'), { merge: true });
export const readJson = (file: string) => JSON.parse(fs.readFileSync(rel(file), 'utf8'));

export interface DataSourceRef {
  type?: string;
  uid?: string;
}

export interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, unknown>;
}

export function datasources(): Datasource[] {
  return readYaml('provisioning/datasources/vigil.yaml').datasources;
}

export interface RuleQuery {
  refId: string;
  datasourceUid: string;
  model: Record<string, any>;
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: RuleQuery[];
  noDataState?: string;
  notification_settings?: { receiver: string; group_by?: string[] };
}

export function alerting() {
  return readYaml('provisioning/alerting/vigil.yaml') as {
    contactPoints: { name: string; receivers: { uid: string; type: string; settings: Record<string, string> }[] }[];
    groups: { name: string; folder: string; interval: string; rules: AlertRule[] }[];
  };
}

export const alertRules = (): AlertRule[] => alerting().groups.flatMap((g) => g.rules);

export const DASHBOARD_FILES = fs
  .readdirSync(rel('dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => `dashboards/${f}`);

export interface DashboardQuery {
  dashboard: string;
  where: string;
  datasource: DataSourceRef | undefined;
  target: Record<string, any>;
}

/** Every query of a dashboard: panel targets (rows included), variable queries, annotation targets. */
export function dashboardQueries(file: string): DashboardQuery[] {
  const d = readJson(file);
  const out: DashboardQuery[] = [];
  const panels = (list: any[]): any[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  for (const p of panels(d.panels ?? [])) {
    for (const t of p.targets ?? []) out.push({ dashboard: file, where: `panel ${p.id} "${p.title}" ${t.refId}`, datasource: t.datasource ?? p.datasource, target: t });
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'query') {
      const target = typeof v.query === 'string' ? { expr: v.query } : v.query;
      out.push({ dashboard: file, where: `variable $${v.name}`, datasource: v.datasource, target: { ...target, variable: true } });
    }
  }
  for (const a of d.annotations?.list ?? []) {
    if (a.target && !a.builtIn) out.push({ dashboard: file, where: `annotation "${a.name}"`, datasource: a.datasource, target: a.target });
  }
  return out;
}

/**
 * Queries that read a segmented model's segments (the detail dashboard's Segments row and its $segment
 * variable): they have values only for a model registered with segment_by, so they are run on the demo's
 * segmented model by segments-panel.test.ts rather than on `demo` by live.test.ts.
 */
export function readsSegments(q: DashboardQuery): boolean {
  // the whole-data target of the plugin panel names no segment, its panel title does
  return /\bsegment\b/.test(JSON.stringify(q.target)) || q.where.includes('$segment');
}

/** Every data source reference in a dashboard (panels, targets, variables, annotations). */
export function dashboardDatasourceRefs(file: string): { where: string; ref: DataSourceRef }[] {
  const refs: { where: string; ref: DataSourceRef }[] = [];
  const walk = (node: any, where: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'datasource' && v && typeof v === 'object') refs.push({ where: `${where}.datasource`, ref: v as DataSourceRef });
        else walk(v, `${where}.${k}`);
      }
    }
  };
  walk(readJson(file), file);
  return refs;
}

/** Prometheus rules file: alert name → expr. */
export function prometheusRules(): { group: string; alert: string; expr: string }[] {
  const doc = readYaml('provisioning/prometheus/vigil-alerts.rules.yml');
  return doc.groups.flatMap((g: any) => g.rules.map((r: any) => ({ group: g.name, alert: r.alert, expr: r.expr })));
}

/**
 * Template variables replaced for a live check: `$model` by the demo model; multi-value variables by
 * what Grafana sends for "All" (the Prometheus data source: the variable's allValue regex; the plugin:
 * every value, which the plugin turns into "all" = no filter).
 */
export function substitutePromQL(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a, b) => values[a ?? b] ?? m);
}
