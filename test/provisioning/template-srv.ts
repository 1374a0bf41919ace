/**
 * Grafana's template service as the plugin sees it, for running dashboard targets without Grafana: the
 * detail dashboard's plugin variables resolved against the real server (every multi-value variable on
 * All, which Grafana passes as the explicit list of values), plus any values given.
 */
import type { TemplateReplacer } from '../../src/interpolate';
import { getJson } from '../prometheus/prom-helpers';

export async function pluginVariableValues(url: string, model: string): Promise<Record<string, string | string[]>> {
  const m = await getJson(`${url}/api/models/${encodeURIComponent(model)}`);
  const columns = m.body.columns.filter((c: any) => c.role === 'feature').map((c: any) => c.name);
  const series = async (family: string) => (await getJson(`${url}/api/models/${encodeURIComponent(model)}/series?family=${family}`)).body.series.map((s: any) => s.metric);
  return {
    model,
    column: columns,
    method: [...new Set(await series('univariate_drift'))] as string[],
    metric: [...new Set(await series('estimated_performance'))] as string[],
  };
}

export function templateSrv(values: Record<string, string | string[]>): TemplateReplacer {
  return {
    containsTemplate: (s?: string) => !!s && /\$\w/.test(s),
    replace: (s = '', _scoped?: unknown, format?: unknown) =>
      s.replace(/\$(\w+)/g, (m, name) => {
        const v = values[name];
        if (v === undefined) return m;
        return typeof format === 'function' ? format(v) : Array.isArray(v) ? v.join(',') : v;
      }),
  } as unknown as TemplateReplacer;
}
