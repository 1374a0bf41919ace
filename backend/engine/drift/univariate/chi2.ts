/**
 * Chi-squared contingency statistic (spec §2.6), scipy `chi2_contingency` with its default Yates correction,
 * on the table (category × {reference, chunk}) over the categories seen in either. The value is the
 * statistic; the alert is `p < 0.05` (the thresholds are always None for chi2).
 */
import { pairwiseSum } from '../../stats/moments';
import { chi2Survival } from './gamma';
import { CategoricalMethod, CategoryCounts } from './methods';

/** NannyML alerts on chi2 when the p-value is below this. */
export const CHI2_P_VALUE_ALERT = 0.05;

export interface Chi2Fit {
  referenceCounts: number[];
  referenceTotal: number;
}

export interface Chi2Result {
  statistic: number;
  pValue: number;
  dof: number;
}

/** chi2_contingency on an R×2 table given as its two columns. */
export function chi2Contingency(left: ArrayLike<number>, right: ArrayLike<number>): Chi2Result {
  const rows = left.length;
  const dof = rows - 1;
  if (dof <= 0) return { statistic: 0, pValue: 1, dof: 0 };
  let leftTotal = 0;
  let rightTotal = 0;
  for (let i = 0; i < rows; i++) {
    leftTotal += left[i];
    rightTotal += right[i];
  }
  const total = leftTotal + rightTotal;
  // Row-major terms (O − E)²/E, as scipy flattens the table before summing.
  const terms = new Float64Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    const rowTotal = left[i] + right[i];
    const observed = [left[i], right[i]];
    const expected = [(rowTotal * leftTotal) / total, (rowTotal * rightTotal) / total];
    for (let j = 0; j < 2; j++) {
      let o = observed[j];
      const e = expected[j];
      if (dof === 1) {
        // Yates: move each observation toward its expectation by at most 0.5.
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      terms[i * 2 + j] = ((o - e) * (o - e)) / e;
    }
  }
  const statistic = pairwiseSum(terms);
  return { statistic, pValue: chi2Survival(statistic, dof), dof };
}

export const chi2: CategoricalMethod<Chi2Fit> = {
  id: 'chi2',
  limits: { lower: 0, upper: 1 },
  fit(reference) {
    return { referenceCounts: Array.from(reference.seen), referenceTotal: reference.total };
  },
  score(fit, chunk: CategoryCounts) {
    // Rows: reference categories (all with count > 0), then categories only the chunk has.
    const rows = fit.referenceCounts.length + chunk.unseen.length;
    const left = new Float64Array(rows);
    const right = new Float64Array(rows);
    fit.referenceCounts.forEach((c, i) => {
      left[i] = c;
      right[i] = chunk.seen[i];
    });
    chunk.unseen.forEach((c, i) => (right[fit.referenceCounts.length + i] = c));
    const { statistic, pValue } = chi2Contingency(left, right);
    return { value: statistic, alert: pValue < CHI2_P_VALUE_ALERT };
  },
};
