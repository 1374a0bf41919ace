/** A model registered without drift methods gets NannyML's default and `auto` (issue 17); given methods stay. */
import { resolveCalculators } from './calculators';
import { ModelDefinition } from './definition';

const def = (calculators: ModelDefinition['calculators']): ModelDefinition => ({
  name: 'm',
  problem_type: null,
  columns: { features: ['x', 'c'], categorical: ['c'], continuous: ['x'], timestamp: null, id: null, y_pred: null, y_pred_proba: null, y_true: null },
  chunking: { chunk_size: 100 } as ModelDefinition['chunking'],
  calculators,
});

const driftParams = (d: ModelDefinition) => resolveCalculators({ def: d, specs: null }).candidates.find((c) => c.resolved.className === 'UnivariateDriftCalculator')!.resolved.params;

it('the default set runs jensen_shannon and the auto choice on every drift column', () => {
  expect(driftParams(def(null))).toMatchObject({ continuous_methods: ['jensen_shannon', 'auto'], categorical_methods: ['jensen_shannon', 'auto'] });
});

it('an explicit drift entry without methods gets the same; methods the user gives are kept as given', () => {
  expect(driftParams(def([{ class: 'UnivariateDriftCalculator' }]))).toMatchObject({ continuous_methods: ['jensen_shannon', 'auto'] });
  const given = driftParams(def([{ class: 'UnivariateDriftCalculator', params: { continuous_methods: ['kolmogorov_smirnov'], categorical_methods: ['chi2'] } }]));
  expect(given).toMatchObject({ continuous_methods: ['kolmogorov_smirnov'], categorical_methods: ['chi2'] });
});
