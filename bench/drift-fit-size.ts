/**
 * Probe: what a model's fit weighs with the default drift methods, and what the drift calculator costs per
 * chunk. A 20-feature model of bench/generate.ts (15 numeric, 5 categorical) with the server's default
 * calculators is registered in process on N reference rows; printed per calculator: the saved fit's bytes
 * (V8-serialised, what saved-fits.ts stores and a restored fit holds), the fit time, and the compute per
 * 1,000-row chunk of the drift calculator and of all calculators (medians over the reference's chunks).
 *
 *   node -r ./bench/register.js bench/drift-fit-size.ts --reference 20000 [--methods jensen_shannon]
 *
 * `--methods` registers UnivariateDriftCalculator explicitly with those continuous and categorical methods
 * (the other calculators keep their defaults); without it the drift calculator takes the server default.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { sliceFrame } from '../backend/engine/frame';
import { openStore } from '../backend/store';
import { decodeFrame } from '../backend/store/frame-codec';
import { resolveCalculators } from '../backend/service/calculators';
import { specsOf } from '../backend/service/compute';
import { ModelDefinition } from '../backend/service/definition';
import { ModelLayout } from '../backend/service/layout';
import { fitModel } from '../backend/service/runtime';
import { compactFit, encodeFit, fitBytes } from '../backend/service/saved-fits';
import { VigilService } from '../backend/service/service';
import { ensureDataset } from './generate';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

async function main() {
  const referenceRows = Number(arg('--reference', '20000'));
  const methods = arg('--methods', '');
  const ds = ensureDataset({ rows: 10_000, referenceRows, features: 20, seed: 42 }, (l) => console.error(l));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fit-size-'));
  const service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline' });
  try {
    await service.start();
    const model: Record<string, unknown> = {
      name: 'm',
      columns: { features: ds.features, categorical: ds.categorical, timestamp: 'timestamp', id: 'id', y_pred_proba: 'y_pred_proba', y_pred: 'y_pred' },
      problem_type: 'classification_binary',
      chunking: { chunk_size: 1000 },
    };
    await service.registerModel(model as never);
    const record = (await service.store.getModel('m'))!;
    let def = record.definition as ModelDefinition;
    if (methods) {
      const list = methods.split(',');
      const calculators = resolveCalculators({ def, specs: null }).candidates
        .filter((c) => !c.explicit && c.resolved.className !== 'TypeInconsistencyCalculator' && c.resolved.className !== 'InvalidValuesCalculator')
        .map((c) => ({ class: c.resolved.className, params: c.resolved.className === 'UnivariateDriftCalculator' ? { continuous_methods: list, categorical_methods: list } : {} }));
      def = { ...def, calculators };
    }
    await service.putReference('m', fs.readFileSync(ds.reference, 'utf8'), 'text/csv');
    const stored = (await service.store.getModel('m'))!;
    const layout = stored.layout as ModelLayout;
    const reference = decodeFrame((await service.store.loadReference(stored.id))!);
    const t0 = performance.now();
    const fitted = fitModel(def, specsOf(layout), reference);
    const fitMs = performance.now() - t0;
    let total = 0;
    for (const e of fitted.entries) {
      const bytes = e.fitted.saved === undefined ? 0 : v8.serialize(e.fitted.saved).length;
      total += bytes;
      console.log(`${e.className.padEnd(36)} ${(bytes / 1e6).toFixed(3)} MB`);
    }
    const drift = fitted.entries.find((e) => e.className === 'UnivariateDriftCalculator')!;
    const tDrift = performance.now();
    const driftParams = methods ? methods.split(',') : ['(default)'];
    // The drift fit alone, timed apart from the others.
    const own = methods ? { continuous_methods: driftParams, categorical_methods: driftParams } : {};
    fitModel({ ...def, calculators: [{ class: 'UnivariateDriftCalculator', params: own }] }, specsOf(layout), reference);
    const driftFitMs = performance.now() - tDrift;
    const chunkMs: number[] = [];
    for (let start = 0; start + 1000 <= reference.length; start += 1000) {
      const chunk = sliceFrame(reference, start, start + 999);
      const t = performance.now();
      drift.fitted.calculate(chunk);
      chunkMs.push(performance.now() - t);
    }
    chunkMs.sort((a, b) => a - b);
    // Every calculator of the model on the same chunks, for scale.
    const allMs: number[] = [];
    for (let start = 0; start + 1000 <= reference.length; start += 1000) {
      const chunk = sliceFrame(reference, start, start + 999);
      const t = performance.now();
      for (const e of fitted.entries) e.fitted.calculate(chunk);
      allMs.push(performance.now() - t);
    }
    allMs.sort((a, b) => a - b);
    const metrics = [...new Set(drift.fitted.reference.flatMap((c) => c.rows.map((r) => r.metric)))];
    // What the fit cache counts for the model as a restored fit (saved-fits.ts fitBytes).
    const held = fitBytes(compactFit(encodeFit(fitted.entries, 'probe'), fitted.entries));
    console.log(`fit cache size estimate (fitBytes of the restored fit): ${(held / 1e6).toFixed(3)} MB`);
    console.log(`total ${(total / 1e6).toFixed(3)} MB; fit of all calculators ${fitMs.toFixed(0)} ms, of the drift calculator ${driftFitMs.toFixed(0)} ms`);
    console.log(`drift methods ${driftParams.join(',')} -> metrics ${metrics.join(',')}`);
    console.log(`drift compute per 1,000-row chunk: median ${chunkMs[chunkMs.length >> 1].toFixed(2)} ms (all calculators ${allMs[allMs.length >> 1].toFixed(1)} ms) over ${chunkMs.length} chunks; load ${os.loadavg()[0].toFixed(1)}`);
  } finally {
    await service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
