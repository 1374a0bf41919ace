/**
 * Drift methods on the server (issue 17): a model registered without drift methods gets `auto` for both
 * column kinds (vigil run keeps NannyML's jensen_shannon); given methods stay; the new methods, `auto`, BH and leave-one-out serve the same rows as `vigil run`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { executeRun, toOutputRow } from '../cli/run';
import { openStore } from '../store';
import { resolveCalculators } from './calculators';
import { ModelDefinition } from './definition';
import { resultRows } from './read';
import { VigilService } from './service';

const def = (calculators: ModelDefinition['calculators']): ModelDefinition => ({
  name: 'm',
  problem_type: null,
  columns: { features: ['x', 'c'], categorical: ['c'], continuous: ['x'], timestamp: null, id: null, y_pred: null, y_pred_proba: null, y_true: null },
  chunking: { chunk_size: 100 } as ModelDefinition['chunking'],
  calculators,
});

const driftParams = (d: ModelDefinition) => resolveCalculators({ def: d, specs: null }).candidates.find((c) => c.resolved.className === 'UnivariateDriftCalculator')!.resolved.params;

it('a drift calculator without methods gets auto for both column kinds, in the default set and when listed', () => {
  expect(driftParams(def(null))).toMatchObject({ continuous_methods: ['auto'], categorical_methods: ['auto'] });
  expect(driftParams(def([{ class: 'UnivariateDriftCalculator' }]))).toMatchObject({ continuous_methods: ['auto'], categorical_methods: ['auto'] });
  // one kind given: the other still gets auto
  expect(driftParams(def([{ class: 'UnivariateDriftCalculator', params: { continuous_methods: ['t_test'] } }]))).toMatchObject({ continuous_methods: ['t_test'], categorical_methods: ['auto'] });
});

it('methods the user gives, auto included, are kept as given', () => {
  const given = driftParams(def([{ class: 'UnivariateDriftCalculator', params: { continuous_methods: ['auto', 'kolmogorov_smirnov'], categorical_methods: ['chi2'] } }]));
  expect(given).toMatchObject({ continuous_methods: ['auto', 'kolmogorov_smirnov'], categorical_methods: ['chi2'] });
});

describe('through the service', () => {
  const DATA = path.join(__dirname, '..', '..', 'examples', 'data', 'nannyml');
  const REFERENCE = path.join(DATA, 'synthetic_car_loan_reference.csv');
  const ANALYSIS = path.join(DATA, 'synthetic_car_loan_analysis.csv');

  it("auto, Evidently's tests, BH and leave-one-out thresholds serve vigil run's rows", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-drift-'));
    const service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline' });
    try {
      await service.start();
      const params = {
        column_names: ['car_value', 'salary_range', 'driver_tenure', 'repaid_loan_on_prev_car'],
        continuous_methods: ['auto', 't_test', 'psi'],
        categorical_methods: ['auto', 'g_test'],
        thresholds: { type: 'standard_deviation', std_lower_multiplier: null, leave_one_out: true },
        multiple_testing: { method: 'benjamini_hochberg', q: 0.05 },
      };
      await service.registerModel({
        name: 'carloan',
        columns: { features: params.column_names, timestamp: 'timestamp', id: 'id' },
        chunking: { chunk_size: 10_000 },
        calculators: [{ class: 'UnivariateDriftCalculator', params }],
      });
      await service.putReference('carloan', fs.readFileSync(REFERENCE, 'utf8'), 'text/csv');
      await service.ingestRows('carloan', fs.readFileSync(ANALYSIS, 'utf8'), 'text/csv');
      await service.idle();
      const served = (await resultRows(service, 'carloan', {})).filter((r) => r.calculator === 'UnivariateDriftCalculator');
      expect(new Set(served.map((r) => r.metric))).toEqual(
        new Set(['wasserstein', 't_test', 't_test_p_value', 't_test_p_value_adjusted', 'population_stability_index', 'jensen_shannon', 'g_test', 'g_test_p_value', 'g_test_p_value_adjusted']),
      );
      const config = path.join(dir, 'c.json');
      fs.writeFileSync(config, JSON.stringify({ reference: REFERENCE, analysis: ANALYSIS, calculators: [{ class: 'UnivariateDriftCalculator', params: { ...params, timestamp_column_name: 'timestamp', chunk_size: 10_000 } }] }));
      const expected = executeRun(config, () => undefined).map(toOutputRow);
      expect(served.map(({ partial: _p, ...r }) => r)).toEqual(expected);
      // planted drift in the second half of the analysis: the tests alert there
      expect(served.some((r) => r.period === 'analysis' && r.metric === 't_test' && r.alert)).toBe(true);
    } finally {
      await service.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
