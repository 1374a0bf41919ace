/**
 * Ad-hoc filters (the dashboard's "Filters" variable) on Vigil's series labels: `model`, `column` and
 * `metric`, the labels the same series carry on Vigil's Prometheus API. `POST /api/query` takes lists
 * of models, metrics and columns, not matchers, so a filter is applied by narrowing each query's
 * lists to the values that pass it. An empty list means "all" to the server, so narrowing "all" needs
 * the values that exist: they come from the model's series (`GET /api/models/{name}/series`). A query
 * that no value passes is not sent at all (sending an empty list would ask for everything).
 * `segment` narrows too: a query reads one segment (its segment picker, docs/segments.md) or the whole
 * data (segment ''), and is dropped when that does not pass; a filter never adds segments to a query.
 */
import type { AdHocVariableFilter } from '@grafana/data';
import type { ApiQuery, SeriesInfo } from './api';
import type { FamilyId } from './types';

export const AD_HOC_KEYS = ['model', 'column', 'metric', 'segment'] as const;
export type AdHocKey = (typeof AD_HOC_KEYS)[number];

export function isAdHocKey(key: string): key is AdHocKey {
  return (AD_HOC_KEYS as readonly string[]).includes(key);
}

/**
 * Whether a label value passes a filter, with Prometheus's semantics: regexes are anchored, and a series
 * without the label (a model-level series has no column) has the value ''. Grafana's multi-value
 * operators `=|` / `!=|` carry their values in `values`.
 */
export function passes(filter: AdHocVariableFilter, value: string): boolean {
  const values = filter.values && filter.values.length > 0 ? filter.values : [filter.value];
  switch (filter.operator) {
    case '=':
      return value === filter.value;
    case '!=':
      return value !== filter.value;
    case '=|':
      return values.includes(value);
    case '!=|':
      return !values.includes(value);
    case '=~':
      return anchored(filter.value).test(value);
    case '!~':
      return !anchored(filter.value).test(value);
    default:
      throw new Error(`ad-hoc filter on '${filter.key}': operator '${filter.operator}' is not supported (use =, !=, =~, !~, =| or !=|)`);
  }
}

function anchored(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new Error(`ad-hoc filter: invalid regular expression '${pattern}': ${(err as Error).message}`);
  }
}

/** The filters on Vigil's keys; filters on other keys (meant for other data sources) are ignored. */
export function vigilFilters(filters: readonly AdHocVariableFilter[] | undefined): AdHocVariableFilter[] {
  return (filters ?? []).filter((f) => isAdHocKey(f.key));
}

/** Series of a model and family, as the pickers get them. */
export type SeriesLookup = (model: string, family: FamilyId) => Promise<SeriesInfo[]>;

/** Each query narrowed by the filters; queries that nothing passes are dropped. */
export async function applyAdHocFilters(queries: ApiQuery[], filters: readonly AdHocVariableFilter[], lookup: SeriesLookup): Promise<ApiQuery[]> {
  const active = vigilFilters(filters);
  if (active.length === 0) {
    return queries;
  }
  const byKey = (key: AdHocKey) => active.filter((f) => f.key === key);
  const passAll = (key: AdHocKey, value: string) => byKey(key).every((f) => passes(f, value));
  const narrowed: ApiQuery[] = [];
  for (const query of queries) {
    if (!passAll('model', query.model) || !passAll('segment', query.segment ?? '')) {
      continue;
    }
    let series: SeriesInfo[] | undefined;
    const existing = async () => (series ??= await lookup(query.model, query.family as FamilyId));
    const narrow = async (key: 'metric' | 'column', listed: string[] | undefined): Promise<string[] | undefined> => {
      if (byKey(key).length === 0) {
        return listed;
      }
      const candidates = listed && listed.length > 0 ? listed : [...new Set((await existing()).map((s) => (key === 'metric' ? s.metric : (s.column ?? ''))))];
      return candidates.filter((v) => passAll(key, v));
    };
    const metrics = await narrow('metric', query.metrics);
    const columns = await narrow('column', query.columns);
    if ((byKey('metric').length > 0 && metrics!.length === 0) || (byKey('column').length > 0 && columns!.length === 0)) {
      continue;
    }
    // a model-level series has no column: after a passing column filter its list stays empty (the server wants none)
    narrowed.push({ ...query, metrics: metrics ?? [], columns: (columns ?? []).filter((c) => c !== '') });
  }
  return narrowed;
}
