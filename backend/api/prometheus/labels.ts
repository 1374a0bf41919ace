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

/** A key equal for equal label sets. */
export function labelsKey(l: Labels): string {
  let key = '';
  for (const n of sortedNames(l)) key += `${n}\u0000${l[n]}\u0001`;
  return key;
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
  const out: Record<string, string> = { ...l };
  delete out[METRIC_NAME];
  return out;
}

export function keepLabels(l: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const n of names) if (n in l) out[n] = l[n];
  return out;
}

export function deleteLabels(l: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = { ...l };
  for (const n of names) delete out[n];
  return out;
}

/** `{__name__="x", a="1"}` rendered as Prometheus prints label sets in error messages: `x{a="1"}`. */
export function formatLabels(l: Labels): string {
  const name = l[METRIC_NAME] ?? '';
  const rest = sortedNames(l)
    .filter((n) => n !== METRIC_NAME)
    .map((n) => `${n}=${JSON.stringify(l[n])}`);
  return `${name}{${rest.join(', ')}}`;
}
