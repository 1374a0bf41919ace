/**
 * Loads the demo model into a running service the way a user would through the API: register with
 * columns only (so it gets the default calculators), upload the reference, stream the analysis rows in
 * batches, send the late targets, and wait until every chunk is computed.
 */
import { VigilService } from '../service/service';
import { ingestDemoRows } from './ingest';
import { DEMO_CATEGORICAL, DEMO_FEATURES, DEMO_TARGET, DemoOptions, generateDemo } from './dataset';

export const DEMO_MODEL = 'demo';

export const demoDefinition = () => ({
  name: DEMO_MODEL,
  problem_type: 'classification_binary',
  columns: {
    features: DEMO_FEATURES,
    categorical: DEMO_CATEGORICAL,
    timestamp: 'timestamp',
    id: 'id',
    y_pred: 'y_pred',
    y_pred_proba: 'y_pred_proba',
    y_true: DEMO_TARGET,
  },
  chunking: { chunk_period: 'D' },
});

export interface DemoSummary {
  model: string;
  referenceRows: number;
  analysisRows: number;
  lateTargets: number;
  /** First analysis day (UTC midnight, epoch ms). */
  analysisStart: number;
  ms: number;
}

export async function loadDemo(service: VigilService, opts: DemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  if (service.modelNames().includes(DEMO_MODEL)) await service.deleteModel(DEMO_MODEL);
  const data = generateDemo(opts);
  await service.registerModel(demoDefinition());
  await service.putReference(DEMO_MODEL, JSON.stringify(data.reference), 'application/json');
  await ingestDemoRows(service, DEMO_MODEL, data.analysis);
  // A short demo (--days 2) has no late-labelled days, and an empty targets body is a 400.
  if (data.lateTargets.length > 0) await service.attachTargets(DEMO_MODEL, JSON.stringify(data.lateTargets), 'application/json');
  await service.idle();
  return { model: DEMO_MODEL, referenceRows: data.reference.length, analysisRows: data.analysis.length, lateTargets: data.lateTargets.length, analysisStart: data.analysisStart, ms: Date.now() - t0 };
}
