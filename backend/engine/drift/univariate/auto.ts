/**
 * `method: auto`: the drift method chosen per column by Evidently's rule (`get_default_stattest` in
 * Evidently's stattests registry), mapped to Vigil's methods. With n the reference's non-missing values
 * and u their distinct values:
 *
 * | reference    | column      | u     | Evidently            | Vigil                        |
 * |--------------|-------------|-------|----------------------|------------------------------|
 * | n ≤ 1000     | numeric     | ≤ 2   | z-test               | z_test (column as categories) |
 * |              |             | 3–5   | chi-square           | chi2 (column as categories)  |
 * |              |             | > 5   | Kolmogorov-Smirnov   | kolmogorov_smirnov           |
 * |              | categorical | ≤ 2   | z-test               | z_test                       |
 * |              |             | > 2   | chi-square           | chi2                         |
 * | n > 1000     | numeric     | ≤ 5   | Jensen-Shannon       | jensen_shannon (categories)  |
 * |              |             | > 5   | Wasserstein (normed) | wasserstein                  |
 * |              | categorical | any   | Jensen-Shannon       | jensen_shannon               |
 *
 * Evidently counts distinct values over reference ∪ current and decides per comparison; Vigil decides
 * once per column from the reference, so a column keeps one series over time. Each chosen method keeps
 * its Vigil default threshold (docs/drift-methods.md).
 */
import { CategoricalMethodId, CategoryCounts, ContinuousMethodId } from './methods';

export const AUTO = 'auto';

/** Evidently's boundary between small and large references. */
export const AUTO_SMALL_REFERENCE = 1000;

export type AutoChoice = { kind: 'continuous'; method: ContinuousMethodId } | { kind: 'categorical'; method: CategoricalMethodId };

/**
 * The number of distinct values, counted up to `limit` (the rule only asks whether it is ≤ 2, ≤ 5 or more):
 * a continuous column stops after a few values instead of hashing every double (a Set of 20,000 doubles
 * per column was most of auto's fit time). NaN is removed before; `===` equates −0 and 0 as a Set does.
 */
function distinctCountUpTo(values: Float64Array, limit: number): number {
  const seen: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!seen.includes(v)) {
      seen.push(v);
      if (seen.length >= limit) break;
    }
  }
  return seen.length;
}

/** More distinct values than the rule distinguishes (it asks ≤ 2, ≤ 5). */
const DISTINCT_LIMIT = 6;

export function chooseMethod(kind: 'continuous', reference: Float64Array): AutoChoice;
export function chooseMethod(kind: 'categorical', reference: CategoryCounts): AutoChoice;
export function chooseMethod(kind: 'continuous' | 'categorical', reference: Float64Array | CategoryCounts): AutoChoice {
  if (kind === 'continuous') {
    const values = reference as Float64Array;
    const u = distinctCountUpTo(values, DISTINCT_LIMIT);
    if (values.length <= AUTO_SMALL_REFERENCE) {
      if (u <= 2) return { kind: 'categorical', method: 'z_test' };
      if (u <= 5) return { kind: 'categorical', method: 'chi2' };
      return { kind: 'continuous', method: 'kolmogorov_smirnov' };
    }
    return u <= 5 ? { kind: 'categorical', method: 'jensen_shannon' } : { kind: 'continuous', method: 'wasserstein' };
  }
  const counts = reference as CategoryCounts;
  if (counts.total <= AUTO_SMALL_REFERENCE) return { kind: 'categorical', method: counts.seen.length > 2 ? 'chi2' : 'z_test' };
  return { kind: 'categorical', method: 'jensen_shannon' };
}
