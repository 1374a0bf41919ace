/**
 * The new drift methods reach Prometheus as `method` label values (issue 17): the chosen method of `auto`,
 * a test's statistic, p-value and BH-adjusted p-value, each a series of `vigil_univariate_drift`.
 */
import { metricIdsOf, rowSamples } from '../../../api/prometheus/series';
import { makeFrame, numeric } from '../../frame';
import { seededRandom } from '../../random';
import { parseUnivariateDriftParams, univariateDriftCalculator } from './calculator';

it('auto, test and p-value series carry their method label on vigil_univariate_drift', () => {
  const rng = seededRandom(3);
  const reference = makeFrame([numeric('x', Array.from({ length: 2_000 }, rng)), numeric('k', Array.from({ length: 2_000 }, (_, i) => i % 2))]);
  const params = parseUnivariateDriftParams({ column_names: ['x', 'k'], continuous_methods: ['auto', 't_test'], chunk_size: 500, multiple_testing: { method: 'benjamini_hochberg', q: 0.05 } }, 'p');
  const rows = univariateDriftCalculator.fit(reference, params).calculate(makeFrame([numeric('x', Array.from({ length: 500 }, () => 0.2 + rng())), numeric('k', Array.from({ length: 500 }, (_, i) => i % 3 ? 1 : 0))]));
  const names = new Map<string, string>();
  for (const r of rows) {
    rowSamples('m', { ...r, calculator: 'UnivariateDriftCalculator', id: 'UnivariateDriftCalculator', period: 'analysis', chunk: { start_date: 0, end_date: 1 } }, (name, labels) => {
      if (!name.endsWith('_threshold') && !name.endsWith('_alert')) names.set(`${labels.column}/${labels.method}`, name);
    });
  }
  expect(Object.fromEntries(names)).toEqual({
    'x/wasserstein': 'vigil_univariate_drift',
    'x/t_test': 'vigil_univariate_drift',
    'x/t_test_p_value': 'vigil_univariate_drift',
    'x/t_test_p_value_adjusted': 'vigil_univariate_drift',
    'k/t_test': 'vigil_univariate_drift',
    'k/t_test_p_value': 'vigil_univariate_drift',
    'k/t_test_p_value_adjusted': 'vigil_univariate_drift',
    'k/jensen_shannon': 'vigil_univariate_drift',
  });
  for (const method of names.keys()) expect(metricIdsOf('univariate_drift')).toContain(method.split('/')[1]);
});
