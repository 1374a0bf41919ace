/**
 * Label sets as Prometheus treats them: a map from label name to non-empty value, `__name__` holding the
 * metric name; ordered and compared name by name (model/labels Compare), which fixes the order of series
 * in results and of samples inside aggregations (so sums add in Prometheus's order).
 */

export type Labels = Readonly<Record<string, string>>;

export const METRIC_NAME = '__name__';

export function sortedNames(l: Labels): string[] {
  return Object.keys(l).sort(compareStrings);
}

/** Go's string order (bytewise); label names and values here are compared as UTF-16, equal for ASCII. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Label sets are immutable once made, and a range query derives the same ones at every step (the
// selector's labels, the same labels without the name, ...): keys and derived sets are memoised per
// object, which makes label handling per step a few map look-ups.
const keyCache = new WeakMap<Labels, string>();
const dropCache = new WeakMap<Labels, Labels>();
const keepCache = new WeakMap<Labels, Map<string, Labels>>();
const deleteCache = new WeakMap<Labels, Map<string, Labels>>();

/** A key equal for equal label sets. */
export function labelsKey(l: Labels): string {
  let key = keyCache.get(l);
  if (key === undefined) {
    key = '';
    for (const n of sortedNames(l)) key += `${n}\u0000${l[n]}\u0001`;
    keyCache.set(l, key);
  }
  return key;
}

/** The key of a list of names, kept per list (an aggregation's grouping is one list for every series). */
const namesKeys = new WeakMap<readonly string[], string>();

function derived(cache: WeakMap<Labels, Map<string, Labels>>, l: Labels, names: readonly string[], make: () => Labels): Labels {
  let perSet = cache.get(l);
  if (!perSet) cache.set(l, (perSet = new Map()));
  let k = namesKeys.get(names);
  if (k === undefined) namesKeys.set(names, (k = names.join('\u0000')));
  let out = perSet.get(k);
  if (!out) perSet.set(k, (out = make()));
  return out;
}

/** Prometheus's labels.Compare: pairwise by name, then value; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(an[i], bn[i]) || compareStrings(a[an[i]], b[bn[i]]);
    if (c !== 0) return c;
  }
  return an.length - bn.length;
}

export function dropMetricName(l: Labels): Labels {
  if (!(METRIC_NAME in l)) return l;
  let out = dropCache.get(l);
  if (!out) {
    const copy: Record<string, string> = { ...l };
    delete copy[METRIC_NAME];
    dropCache.set(l, (out = copy));
  }
  return out;
}

export function keepLabels(l: Labels, names: readonly string[]): Labels {
  return derived(keepCache, l, names, () => {
    const out: Record<string, string> = {};
    for (const n of names) if (n in l) out[n] = l[n];
    return out;
  });
}

export function deleteLabels(l: Labels, names: readonly string[]): Labels {
  return derived(deleteCache, l, names, () => {
    const out: Record<string, string> = { ...l };
    for (const n of names) delete out[n];
    return out;
  });
}

/** `{__name__="x", a="1"}` rendered as Prometheus prints label sets in error messages: `x{a="1"}`. */
export function formatLabels(l: Labels): string {
  const name = l[METRIC_NAME] ?? '';
  const rest = sortedNames(l)
    .filter((n) => n !== METRIC_NAME)
    .map((n) => `${n}=${JSON.stringify(l[n])}`);
  return `${name}{${rest.join(', ')}}`;
}
