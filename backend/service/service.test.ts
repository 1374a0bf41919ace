/**
 * The service in-process with the compute core inline (no worker, no HTTP): the results of a model fed
 * through ingest equal `vigil run`'s on the same files and calculators.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { executeRun, toOutputRow } from '../cli/run';
import { openStore } from '../store';
import { resultRows } from './read';
import { VigilService } from './service';

const DATA = path.join(__dirname, '..', '..', 'examples', 'data', 'nannyml');
const REFERENCE = path.join(DATA, 'synthetic_car_loan_reference.csv');
const ANALYSIS = path.join(DATA, 'synthetic_car_loan_analysis.csv');
const TARGETS = path.join(DATA, 'synthetic_car_loan_analysis_target.csv');

test('inline compute: ingest → recompute gives vigil run’s rows', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-service-'));
  const service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline' });
  try {
    await service.start();
    expect(service.engine.kind).toBe('inline');
    const calculators = [
      { class: 'MissingValuesCalculator', params: { column_names: ['car_value', 'salary_range'] } },
      { class: 'NumericalRangeCalculator', params: { column_names: ['car_value', 'driver_tenure'] } },
    ];
    await service.registerModel({
      name: 'carloan',
      columns: { features: ['car_value', 'salary_range', 'driver_tenure'], timestamp: 'timestamp', id: 'id', y_true: 'repaid' },
      chunking: { chunk_size: 7000 },
      calculators,
    });
    await service.putReference('carloan', fs.readFileSync(REFERENCE, 'utf8'), 'text/csv');
    const [header, ...lines] = fs.readFileSync(ANALYSIS, 'utf8').trimEnd().split('\n');
    // Out-of-order batches of a time-sorted file still land in time order within each batch.
    for (let i = 0; i < lines.length; i += 12_500) await service.ingestRows('carloan', [header, ...lines.slice(i, i + 12_500)].join('\n'), 'text/csv');
    await service.attachTargets('carloan', fs.readFileSync(TARGETS, 'utf8'), 'text/csv');
    await service.idle();
    const served = (await resultRows(service, 'carloan', {})).filter((r) => r.calculator !== 'TypeInconsistencyCalculator');
    // The last size chunk ([49000:49999]) is still filling: partial.
    expect(served.filter((r) => r.partial).map((r) => r.chunk.key)).toEqual(['[49000:49999]', '[49000:49999]', '[49000:49999]', '[49000:49999]']);
    const config = path.join(dir, 'c.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        reference: REFERENCE,
        analysis: ANALYSIS,
        analysis_targets: TARGETS,
        calculators: calculators.map((c) => ({ ...c, params: { ...c.params, timestamp_column_name: 'timestamp', chunk_size: 7000 } })),
      }),
    );
    const expected = executeRun(config, () => undefined).map(toOutputRow);
    expect(served.map(({ partial: _p, ...r }) => r)).toEqual(expected);
  } finally {
    await service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
