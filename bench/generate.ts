/**
 * Seeded benchmark data: a binary classifier's reference and analysis sets with N rows × d features
 * (numeric and categorical), timestamps, y_pred_proba, y_pred, and targets, with drift planted in the
 * later part of the analysis set:
 *
 * - from 50 % of the analysis rows: mean shifts (num_01, num_02), a wider spread (num_05), categorical
 *   frequencies moved (the first categorical), more missing values (num_03), an unseen category (the
 *   second categorical), values beyond the reference range (num_06);
 * - from 75 %: a concept shift (the label depends on num_01 the other way round), which CBPE cannot see
 *   and realized performance does.
 *
 * Files go to `bench/.data/<key>/` (git-ignored), keyed by every parameter, so repeated runs reuse them.
 * `meta.json` is written last: a folder without it is an interrupted run and is rebuilt.
 *
 *   node -r ./bench/register.js bench/generate.ts --rows 1000000 --reference 100000 --features 20
 */
import * as fs from 'fs';
import * as path from 'path';
import { seededRandom } from '../backend/engine/random';

/** Bump when the generated content changes, so cached files are not reused. */
const GENERATOR_VERSION = 2;
export const DATA_DIR = path.join(__dirname, '.data');

export interface DatasetSpec {
  /** analysis rows */
  rows: number;
  referenceRows: number;
  features: number;
  seed: number;
}

export interface Dataset {
  spec: DatasetSpec;
  dir: string;
  reference: string;
  analysis: string;
  targets: string;
  numeric: string[];
  categorical: string[];
  features: string[];
  /** analysis row index where the covariate drift starts */
  driftStart: number;
  conceptStart: number;
  bytes: number;
}

/** The engine's seeded PRNG (mulberry32): the same seed gives the same files. */
export const rng = seededRandom;

function normalSource(uniform: () => number): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let u = uniform();
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Every fourth feature is categorical; the rest are numeric with a rotating distribution shape. */
export function featureNames(d: number): { numeric: string[]; categorical: string[]; features: string[] } {
  const numeric: string[] = [];
  const categorical: string[] = [];
  const features: string[] = [];
  for (let j = 1; j <= d; j++) {
    const name = j % 4 === 0 ? `cat_${String(j).padStart(2, '0')}` : `num_${String(j).padStart(2, '0')}`;
    (j % 4 === 0 ? categorical : numeric).push(name);
    features.push(name);
  }
  return { numeric, categorical, features };
}

const CATEGORY_COUNTS = [4, 7, 12, 3, 25];
const START_MS = Date.UTC(2023, 0, 1);
const ROW_INTERVAL_MS = 30_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The timestamp (epoch ms) of the row with this id: rows are ROW_INTERVAL_MS apart from START_MS. */
export function timestampOfId(id: number): number {
  return START_MS + id * ROW_INTERVAL_MS;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the way pandas writes timestamps. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function fmt(v: number, digits: number): string {
  return Number.isNaN(v) ? '' : v.toFixed(digits);
}

interface FeatureGen {
  name: string;
  /** Value text for the next row; `drifted` is true in the drifted part of the analysis set. */
  value(drifted: boolean): string;
  /** the value's standardised contribution to the model's logit (0 for most features) */
  lastSignal: number;
}

function makeFeatures(d: number, next: () => number, normal: () => number): FeatureGen[] {
  const gens: FeatureGen[] = [];
  let catIndex = 0;
  for (let j = 1; j <= d; j++) {
    const isCat = j % 4 === 0;
    const name = isCat ? `cat_${String(j).padStart(2, '0')}` : `num_${String(j).padStart(2, '0')}`;
    if (isCat) {
      const k = CATEGORY_COUNTS[catIndex % CATEGORY_COUNTS.length];
      const which = catIndex++;
      const levels = Array.from({ length: k }, (_, i) => `${String.fromCharCode(65 + (i % 26))}${i >= 26 ? i : ''}_${which}`);
      // Zipf-like weights; the drifted part reverses them (first categorical) or adds an unseen level (second).
      const weights = levels.map((_, i) => 1 / (i + 1));
      const cdf = cumulative(weights);
      const cdfDrift = cumulative(weights.slice().reverse());
      const gen: FeatureGen = {
        name,
        lastSignal: 0,
        value(drifted) {
          const u = next();
          if (drifted && which === 1 && u < 0.03) {
            gen.lastSignal = 0;
            return `NEW_${which}`;
          }
          const table = drifted && which === 0 ? cdfDrift : cdf;
          let i = 0;
          while (u > table[i] && i < table.length - 1) i++;
          gen.lastSignal = which === 0 ? (i === 0 ? 1 : -0.3) : 0;
          return levels[i];
        },
      };
      gens.push(gen);
      continue;
    }
    const shape = j % 5;
    const gen: FeatureGen = {
      name,
      lastSignal: 0,
      value(drifted) {
        // A few columns have missing values; num_03 many more after the drift starts.
        const missingRate = j === 3 ? (drifted ? 0.08 : 0.01) : j % 7 === 0 ? 0.005 : 0;
        if (missingRate > 0 && next() < missingRate) {
          gen.lastSignal = 0;
          return '';
        }
        const z = normal();
        let shift = 0;
        let scale = 1;
        if (drifted && (j === 1 || j === 2)) shift = 0.6;
        if (drifted && j === 5) scale = 1.6;
        const zz = z * scale + shift;
        gen.lastSignal = j === 1 ? zz : j === 2 ? -0.7 * zz : j === 6 ? 0.4 * zz : 0;
        // num_06 gets values far beyond the reference range in 2 % of the drifted rows.
        const outOfRange = drifted && j === 6 && next() < 0.02 ? 200 : 0;
        switch (shape) {
          case 0: // integer counts
            return String(Math.max(0, Math.round(20 + 6 * zz)));
          case 1:
            return fmt(100 + 15 * zz + outOfRange, 4);
          case 2: // skewed, positive
            return fmt(Math.exp(1 + 0.5 * zz), 5);
          case 3: // bounded
            return fmt(1 / (1 + Math.exp(-zz)), 6);
          default:
            return fmt(50 * zz, 3);
        }
      },
    };
    gens.push(gen);
  }
  return gens;
}

function cumulative(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return weights.map((w) => (acc += w / total));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function datasetKey(spec: DatasetSpec): string {
  return `gen-v${GENERATOR_VERSION}-a${spec.rows}-r${spec.referenceRows}-d${spec.features}-s${spec.seed}`;
}

/** Returns the dataset's files, generating them when not cached. */
export function ensureDataset(spec: DatasetSpec, log: (line: string) => void = () => {}): Dataset {
  const dir = path.join(DATA_DIR, datasetKey(spec));
  const names = featureNames(spec.features);
  const dataset: Dataset = {
    spec,
    dir,
    reference: path.join(dir, 'reference.csv'),
    analysis: path.join(dir, 'analysis.csv'),
    targets: path.join(dir, 'analysis_targets.csv'),
    ...names,
    driftStart: Math.floor(spec.rows * 0.5),
    conceptStart: Math.floor(spec.rows * 0.75),
    bytes: 0,
  };
  const metaPath = path.join(dir, 'meta.json');
  if (fs.existsSync(metaPath)) {
    return { ...dataset, bytes: JSON.parse(fs.readFileSync(metaPath, 'utf8')).bytes };
  }
  log(`generating ${datasetKey(spec)} ...`);
  const t0 = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const bytes = writeDataset(dataset);
  fs.writeFileSync(metaPath, JSON.stringify({ spec, bytes, ...names, driftStart: dataset.driftStart, conceptStart: dataset.conceptStart }, null, 1));
  log(`generated ${(bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { ...dataset, bytes };
}

const WRITE_BLOCK_ROWS = 5000;

function writeDataset(ds: Dataset): number {
  const next = rng(ds.spec.seed);
  const normal = normalSource(next);
  const gens = makeFeatures(ds.spec.features, next, normal);
  const header = ['id', 'timestamp', ...gens.map((g) => g.name), 'y_pred_proba', 'y_pred'];
  let bytes = 0;
  const write = (fd: number, text: string) => {
    bytes += Buffer.byteLength(text);
    fs.writeSync(fd, text);
  };

  /** One row: features, the model's score, its prediction and the true label. */
  const row = (id: number, drifted: boolean, concept: boolean): { line: string; label: number } => {
    const fields: string[] = [String(id), formatTimestamp(timestampOfId(id))];
    let signal = -0.4;
    for (const g of gens) {
      fields.push(g.value(drifted));
      signal += g.lastSignal;
    }
    // The true label follows the signal (flipped on num_01 after the concept shift); the model's score is
    // an over-confident view of the pre-shift signal, so isotonic calibration has work to do.
    const num01 = gens[0].lastSignal;
    const truthLogit = concept ? signal - 2 * num01 : signal;
    const label = next() < sigmoid(truthLogit) ? 1 : 0;
    const proba = sigmoid(1.6 * (signal + 0.35 * normal()));
    fields.push(proba.toFixed(6), proba >= 0.5 ? '1' : '0');
    return { line: fields.join(','), label };
  };

  const ref = fs.openSync(ds.reference, 'w');
  const ana = fs.openSync(ds.analysis, 'w');
  const tgt = fs.openSync(ds.targets, 'w');
  try {
    write(ref, header.join(',') + ',y_true\n');
    let block: string[] = [];
    for (let i = 0; i < ds.spec.referenceRows; i++) {
      const r = row(i, false, false);
      block.push(`${r.line},${r.label}`);
      if (block.length === WRITE_BLOCK_ROWS) {
        write(ref, block.join('\n') + '\n');
        block = [];
      }
    }
    if (block.length) write(ref, block.join('\n') + '\n');

    write(ana, header.join(',') + '\n');
    write(tgt, 'id,y_true\n');
    block = [];
    let targets: string[] = [];
    for (let i = 0; i < ds.spec.rows; i++) {
      const id = ds.spec.referenceRows + i;
      const r = row(id, i >= ds.driftStart, i >= ds.conceptStart);
      block.push(r.line);
      targets.push(`${id},${r.label}`);
      if (block.length === WRITE_BLOCK_ROWS) {
        write(ana, block.join('\n') + '\n');
        write(tgt, targets.join('\n') + '\n');
        block = [];
        targets = [];
      }
    }
    if (block.length) {
      write(ana, block.join('\n') + '\n');
      write(tgt, targets.join('\n') + '\n');
    }
  } finally {
    fs.closeSync(ref);
    fs.closeSync(ana);
    fs.closeSync(tgt);
  }
  return bytes;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const num = (flag: string, dflt: number) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const ds = ensureDataset(
    { rows: num('--rows', 1_000_000), referenceRows: num('--reference', 100_000), features: num('--features', 20), seed: num('--seed', 42) },
    (l) => process.stderr.write(l + '\n'),
  );
  process.stdout.write(JSON.stringify(ds, null, 1) + '\n');
}
