/**
 * The demo's segmented model (docs/segments.md): the demo's loan applications, registered with
 * `segment_by: region`, with drift planted in one region only — on analysis days 5–15 (before the demo's
 * own events) the `west` region's incomes are multiplied by WEST_INCOME_FACTOR. West is a fifth of the
 * rows, so its Jensen-Shannon distance on `income` alerts while the unsegmented value stays under the
 * threshold: the case segments are for. (From day 20 the demo's own covariate drift moves every region.)
 */
import { segmentOfModelName } from '../service/segment-names';
import { VigilService } from '../service/service';
import { ingestDemoRows } from './ingest';
import { DEMO_CATEGORICAL, DEMO_FEATURES, DemoOptions, DemoRow, generateDemo } from './dataset';

export const SEGMENTED_DEMO_MODEL = 'demo_regions';
export const SEGMENTED_DEMO_DAYS: readonly [number, number] = [5, 15];
export const SEGMENTED_DEMO_REGION = 'west';
const WEST_INCOME_FACTOR = 1.5;
const DAY_MS = 86_400_000;
/**
 * The drift threshold: a constant (the same alerts on every machine), above the noise of a segment's
 * daily chunk (~120 west rows at the default 600 rows a day: unplanted days 0.12-0.25) and under west's
 * planted days (0.37-0.47); the whole data on the planted days stays at 0.10-0.14.
 */
export const SEGMENTED_DEMO_THRESHOLD = 0.3;

export const segmentedDemoDefinition = () => ({
  name: SEGMENTED_DEMO_MODEL,
  columns: { features: DEMO_FEATURES, categorical: DEMO_CATEGORICAL, timestamp: 'timestamp', id: 'id' },
  chunking: { chunk_period: 'D' },
  segment_by: 'region',
  calculators: [
    {
      class: 'UnivariateDriftCalculator',
      id: 'drift',
      params: {
        column_names: ['income', 'loan_amount', 'product'],
        continuous_methods: ['jensen_shannon'],
        categorical_methods: ['jensen_shannon'],
        thresholds: { jensen_shannon: { type: 'constant', lower: null, upper: SEGMENTED_DEMO_THRESHOLD } },
      },
    },
  ],
});

/** The demo rows without targets and predictions, west's incomes raised on the planted days. */
export function segmentedDemoRows(opts: DemoOptions) {
  const data = generateDemo(opts);
  const strip = ({ y_pred: _p, y_pred_proba: _q, defaulted: _d, ...r }: DemoRow) => r;
  const analysis = data.analysis.map((row) => {
    const r = strip(row);
    const day = Math.floor((Date.parse(r.timestamp) - data.analysisStart) / DAY_MS);
    const planted = r.region === SEGMENTED_DEMO_REGION && day >= SEGMENTED_DEMO_DAYS[0] && day <= SEGMENTED_DEMO_DAYS[1] && r.income !== null;
    return planted ? { ...r, income: Math.round(r.income! * WEST_INCOME_FACTOR) } : r;
  });
  return { reference: data.reference.map(strip), analysis, analysisStart: data.analysisStart };
}

export interface SegmentedDemoSummary {
  model: string;
  segments: string[];
  ms: number;
}

export async function loadSegmentedDemo(service: VigilService, opts: DemoOptions): Promise<SegmentedDemoSummary> {
  const t0 = Date.now();
  if (service.modelNames().includes(SEGMENTED_DEMO_MODEL)) await service.deleteModel(SEGMENTED_DEMO_MODEL);
  const data = segmentedDemoRows(opts);
  await service.registerModel(segmentedDemoDefinition());
  await service.putReference(SEGMENTED_DEMO_MODEL, JSON.stringify(data.reference), 'application/json');
  await ingestDemoRows(service, SEGMENTED_DEMO_MODEL, data.analysis);
  await service.idle();
  return { model: SEGMENTED_DEMO_MODEL, segments: service.modelNames().flatMap((n) => (segmentOfModelName(n)?.model === SEGMENTED_DEMO_MODEL ? [segmentOfModelName(n)!.segment] : [])), ms: Date.now() - t0 };
}
