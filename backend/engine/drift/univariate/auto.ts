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

function distinctCount(values: Float64Array): number {
  return new Set(values).size;
}

export function chooseMethod(kind: 'continuous', reference: Float64Array): AutoChoice;
export function chooseMethod(kind: 'categorical', reference: CategoryCounts): AutoChoice;
export function chooseMethod(kind: 'continuous' | 'categorical', reference: Float64Array | CategoryCounts): AutoChoice {
  if (kind === 'continuous') {
    const values = reference as Float64Array;
    const u = distinctCount(values);
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
