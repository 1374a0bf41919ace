import { mayReadHealth } from './health-source';
import { parseQuery } from './parser';

test('an expression reads the health series only when one of its selectors may select one', () => {
  const reads = (q: string) => mayReadHealth(parseQuery(q));
  // The provisioned rules: only the two on health series read them.
  expect(reads('max by (model, column, method) (vigil_univariate_drift_alert)')).toBe(false);
  expect(reads('vigil_model_ingest_age_seconds > bool 21600')).toBe(true);
  expect(reads('max by (model) (vigil_model_unresolved_errors) > bool 0')).toBe(true);
  // Without a name, or a name regex that accepts one, or deep inside functions, subqueries and binary operators.
  expect(reads('{model="a"}')).toBe(true);
  expect(reads('{__name__=~"vigil_model_.+"}')).toBe(true);
  expect(reads('{__name__=~"vigil_univariate.+"}')).toBe(false);
  expect(reads('1 + max_over_time((-rate(vigil_model_unresolved_errors[5m]))[1h:1m])')).toBe(true);
  expect(reads('sum(vigil_outlier_rate) / count(vigil_outlier_rate_alert)')).toBe(false);
  expect(reads('1 + 1')).toBe(false);
  expect(reads('topk(scalar(vigil_model_ingest_age_seconds), vigil_outlier_rate)')).toBe(true);
  // Nesting as deep as the parser allows is walked without recursion.
  expect(reads(`${'('.repeat(900)}vigil_model_ingest_age_seconds${')'.repeat(900)}`)).toBe(true);
});
