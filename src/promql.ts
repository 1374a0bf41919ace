/**
 * The alert-rule shortcut: a plugin query → the equivalent PromQL over Vigil's Prometheus-compatible
 * API, and Grafana's new-alert-rule form pre-filled with it. Series names and labels come from the
 * catalog: `<family.prometheusName><PROMETHEUS_SUFFIXES[field]>{model, column, method|metric}`, or the
 * metric's own name where its unit differs from its family's (catalog `prometheusNamesOfMetrics`).
 * Pure: the query must already be interpolated (alert rules cannot see dashboard variables).
 */
import { familyById, FAMILIES, prometheusNamesOfMetrics, PROMETHEUS_SUFFIXES, type FamilyId, type ResultField } from '../backend/engine/catalog';
import type { SeriesQuery } from './types';

/** Grafana's expression data source (server-side expressions). */
const EXPRESSION_DATASOURCE_UID = '__expr__';
/** Range the rule's query looks back over, in seconds; matches Grafana's default for new rules (10 min). */
const RULE_RELATIVE_RANGE_SECONDS = 600;
/** Grafana's rule-form type for Grafana-managed alert rules (`RuleFormType.grafana`). */
const GRAFANA_ALERTING_FORM_TYPE = 'grafana-alerting';

export function prometheusSeriesName(family: FamilyId, field: ResultField = 'value'): string {
  const def = familyById(family);
  if (!def) {
    throw new Error(`unknown family '${family}' (known: ${FAMILIES.map((f) => f.id).join(', ')})`);
  }
  return def.prometheusName + PROMETHEUS_SUFFIXES[field];
}

/** A PromQL double-quoted string literal. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** RE2 metacharacters, escaped so a name matches itself inside `=~`. */
function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `label="v"` for one value, `label=~"a|b"` for several, nothing for none (= all). */
function matcher(label: string, values: readonly string[]): string | undefined {
  if (values.length === 0) {
    return undefined;
  }
  if (values.length === 1) {
    return `${label}=${quote(values[0])}`;
  }
  return `${label}=~${quote(values.map(escapeRegex).join('|'))}`;
}

export function buildPromQL(query: SeriesQuery, field: ResultField = 'value'): string {
  const def = familyById(query.family);
  if (!def) {
    throw new Error(`unknown family '${query.family}'`);
  }
  if (!query.model) {
    throw new Error('the query names no model');
  }
  const model = query.model;
  // One selector per series name the metrics live under (the row count is not under vigil_statistic).
  return prometheusNamesOfMetrics(def, query.metrics)
    .map(({ name, metrics }) => {
      const matchers = [
        matcher('model', [model]),
        'columns' in query ? matcher('column', query.columns) : undefined,
        matcher(def.prometheusMetricLabel, metrics),
      ].filter((m): m is string => m !== undefined);
      return `${name}${PROMETHEUS_SUFFIXES[field]}{${matchers.join(',')}}`;
    })
    .join(' or ');
}

/** The parts of Grafana's RuleFormValues the new-rule page reads from `?defaults=`. */
export interface AlertRuleDefaults {
  type: typeof GRAFANA_ALERTING_FORM_TYPE;
  name: string;
  condition: string;
  queries: Array<{
    refId: string;
    queryType: string;
    datasourceUid: string;
    relativeTimeRange: { from: number; to: number };
    model: Record<string, unknown>;
  }>;
  annotations: Array<{ key: string; value: string }>;
}

export function alertRuleTitle(query: SeriesQuery): string {
  const family = familyById(query.family)?.label ?? query.family;
  const metrics = query.metrics.length > 0 ? query.metrics.join(', ') : 'all metrics';
  const columns = 'columns' in query && query.columns.length > 0 ? ` on ${query.columns.join(', ')}` : '';
  return `${query.model}: ${family} (${metrics})${columns}`;
}

/**
 * A rule that fires while Vigil flags the latest closed chunk: A = the `_alert` companion series (1 when
 * the value is outside its thresholds), B = its last value, C = B > 0. One alert instance per series, since
 * Grafana keeps each label set apart.
 */
/**
 * The PromQL of the rule's query A, which the editor also shows. An open chunk's samples carry
 * partial="true" (alert 0 unless the model opted in): merged with the closed series, so the last closed
 * chunk decides and each series is one alert instance.
 */
export function alertRuleExpr(query: SeriesQuery): string {
  return `max without (partial) (${buildPromQL(query, 'alert')})`;
}

export function buildAlertRule(query: SeriesQuery, prometheusUid: string): AlertRuleDefaults {
  const expr = alertRuleExpr(query);
  const datasource = { type: 'prometheus', uid: prometheusUid };
  const expression = { type: EXPRESSION_DATASOURCE_UID, uid: EXPRESSION_DATASOURCE_UID };
  return {
    type: GRAFANA_ALERTING_FORM_TYPE,
    name: alertRuleTitle(query),
    condition: 'C',
    queries: [
      {
        refId: 'A',
        queryType: '',
        datasourceUid: prometheusUid,
        relativeTimeRange: { from: RULE_RELATIVE_RANGE_SECONDS, to: 0 },
        model: { refId: 'A', datasource, expr, instant: true, range: false, editorMode: 'code' },
      },
      {
        refId: 'B',
        queryType: '',
        datasourceUid: EXPRESSION_DATASOURCE_UID,
        relativeTimeRange: { from: 0, to: 0 },
        model: { refId: 'B', datasource: expression, type: 'reduce', expression: 'A', reducer: 'last' },
      },
      {
        refId: 'C',
        queryType: '',
        datasourceUid: EXPRESSION_DATASOURCE_UID,
        relativeTimeRange: { from: 0, to: 0 },
        model: {
          refId: 'C',
          datasource: expression,
          type: 'threshold',
          expression: 'B',
          conditions: [{ evaluator: { type: 'gt', params: [0] } }],
        },
      },
    ],
    annotations: [
      { key: 'summary', value: `Vigil flags ${alertRuleTitle(query)}` },
      { key: 'description', value: `Value series: ${buildPromQL(query, 'value')}` },
    ],
  };
}

/** Grafana's new-rule page with the form pre-filled (what Grafana's own "New alert rule" links build). */
export function alertRuleUrl(defaults: AlertRuleDefaults): string {
  return `/alerting/new?defaults=${encodeURIComponent(JSON.stringify(defaults))}`;
}
