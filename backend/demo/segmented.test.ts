/**
 * The demo's segmented model (segmented.ts) in-process: the drift planted in the west region alerts in
 * the west segment on the planted days only, and the unsegmented income drift does not alert (before the
 * demo's own covariate drift from day 20).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openStore } from '../store';
import { resultRows } from '../service/read';
import { segmentModelName } from '../service/segment-models';
import { VigilService } from '../service/service';
import { loadSegmentedDemo, SEGMENTED_DEMO_DAYS, SEGMENTED_DEMO_MODEL, SEGMENTED_DEMO_REGION } from './segmented';

const NOW = Date.UTC(2026, 10, 30, 12);
const DAYS = 30;

test('west alerts on the planted days; the model as a whole does not', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-demo-segments-'));
  const service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline', now: () => NOW });
  try {
    await service.start();
    await loadSegmentedDemo(service, { now: NOW, analysisDays: DAYS });
    const analysisStart = Date.UTC(2026, 10, 30) - (DAYS - 1) * 86_400_000;
    const income = async (model: string) =>
      (await resultRows(service, model, { period: 'analysis', column: ['income'], calculator: 'drift' })).map((r) => ({ day: Math.round((Date.parse(r.chunk.start_date!) - analysisStart) / 86_400_000), alert: r.alert, value: r.value }));
    const west = await income(segmentModelName(SEGMENTED_DEMO_MODEL, SEGMENTED_DEMO_REGION));
    const whole = await income(SEGMENTED_DEMO_MODEL);
    const planted = (d: number) => d >= SEGMENTED_DEMO_DAYS[0] && d <= SEGMENTED_DEMO_DAYS[1];
    expect(west.filter((r) => planted(r.day)).map((r) => r.alert)).toEqual(new Array(SEGMENTED_DEMO_DAYS[1] - SEGMENTED_DEMO_DAYS[0] + 1).fill(true));
    // before day 20, where the demo's own covariate drift starts for every region
    const early = (r: { day: number }) => r.day < 20;
    expect(west.filter((r) => early(r) && !planted(r.day) && r.alert)).toEqual([]);
    expect(whole.filter((r) => early(r) && r.alert)).toEqual([]);
    expect(whole.length).toBe(DAYS);
  } finally {
    await service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
