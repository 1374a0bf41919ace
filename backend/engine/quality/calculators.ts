/**
 * Data quality: missing values, unseen values, numerical range (spec §7.1–7.3).
 */
import { CalculatorDefinition, ChunkingParams, DataError, fitSeriesCalculator, SeriesModel, seriesRestorer, SeriesSpec } from '../calculator';
import { countMissing, kindOf } from '../columns';
import { CategoricalColumn, getColumn, recodeTo } from '../frame';
import { ParamReader } from '../params';
import { DEFAULT_STD_THRESHOLD, Limits, Threshold } from '../thresholds';

interface QualityParams {
  columnNames: string[];
  normalize: boolean;
  threshold: Threshold;
  chunking: ChunkingParams;
}

function parseQualityParams(raw: Record<string, unknown>, where: string, defaultThreshold: Threshold): QualityParams {
  const r = new ParamReader(raw, where);
  const p: QualityParams = {
    columnNames: r.requiredStringList('column_names'),
    normalize: r.boolean('normalize', true),
    threshold: r.threshold('threshold', defaultThreshold),
    chunking: r.chunking(),
  };
  r.done();
  return p;
}

const limitsFor = (normalize: boolean): Limits => (normalize ? { lower: 0, upper: 1 } : { lower: 0, upper: null });

/** §7.1 MissingValuesCalculator: share of nulls, SE from the reference null rate. */
export const missingValuesCalculator: CalculatorDefinition<QualityParams> = {
  className: 'MissingValuesCalculator',
  parseParams: (raw, where) => parseQualityParams(raw, where, DEFAULT_STD_THRESHOLD),
  fit(reference, p) {
    const refRate = new Map<string, number>();
    for (const name of p.columnNames) refRate.set(name, countMissing(getColumn(reference, name)) / reference.length);
    return fitSeriesCalculator(reference, p.chunking, missingValuesModel(refRate, p), refRate);
  },
  restore: seriesRestorer(missingValuesModel),
};

function missingValuesModel(refRate: Map<string, number>, p: QualityParams): SeriesModel {
  const series: SeriesSpec[] = p.columnNames.map((column) => ({
    column,
    metric: 'missing_values',
    threshold: p.threshold,
    limits: limitsFor(p.normalize),
    alertRule: 'strict',
  }));
  return {
    series,
    compute: (chunk) =>
      p.columnNames.map((name) => {
        const n = chunk.length;
        const missing = countMissing(getColumn(chunk, name));
        const rate = refRate.get(name)!;
        const spread = Math.sqrt(rate * (1 - rate));
        return {
          value: p.normalize ? missing / n : missing,
          sampling_error: p.normalize ? spread / Math.sqrt(n) : spread * Math.sqrt(n),
        };
      }),
  };
}

/** §7.2 UnseenValuesCalculator: share of categorical values not in the reference (NaN seen if the reference had NaN). */
export const unseenValuesCalculator: CalculatorDefinition<QualityParams> = {
  className: 'UnseenValuesCalculator',
  parseParams: (raw, where) => parseQualityParams(raw, where, { type: 'constant', lower: null, upper: 0 }),
  fit(reference, p) {
    const refColumns = new Map<string, { column: CategoricalColumn; seenNaN: boolean }>();
    for (const name of p.columnNames) {
      const c = getColumn(reference, name);
      // Integer columns are converted to categorical first; other numeric columns are refused (NannyML).
      if (c.kind === 'numeric' && c.dtype !== 'int') {
        throw new DataError('reference', `column '${name}' is continuous; UnseenValuesCalculator accepts categorical columns only`);
      }
      const cat = toCategorical(c);
      refColumns.set(name, { column: cat, seenNaN: countMissing(cat) > 0 });
    }
    return fitSeriesCalculator(reference, p.chunking, unseenValuesModel(refColumns, p), refColumns);
  },
  restore: seriesRestorer(unseenValuesModel),
};

function unseenValuesModel(refColumns: Map<string, { column: CategoricalColumn; seenNaN: boolean }>, p: QualityParams): SeriesModel {
  return {
    series: p.columnNames.map((column) => ({
      column,
      metric: 'unseen_values',
      threshold: p.threshold,
      limits: limitsFor(p.normalize),
      alertRule: 'strict',
    })),
    compute: (chunk) =>
      p.columnNames.map((name) => {
        const ref = refColumns.get(name)!;
        const codes = recodeTo(toCategorical(getColumn(chunk, name)), ref.column).codes;
        const seen = seenLevels(ref.column);
        let unseen = 0;
        for (let i = 0; i < codes.length; i++) {
          const code = codes[i];
          if (code < 0 ? !ref.seenNaN : !seen[code]) unseen++;
        }
        return { value: p.normalize ? unseen / chunk.length : unseen };
      }),
  };
}

function toCategorical(c: ReturnType<typeof getColumn>): CategoricalColumn {
  if (c.kind === 'categorical') return c;
  // integers as categories: render without a decimal point, as pandas prints int64 values
  const levels: string[] = [];
  const index = new Map<number, number>();
  const codes = new Int32Array(c.values.length);
  for (let i = 0; i < codes.length; i++) {
    const v = c.values[i];
    if (Number.isNaN(v)) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = levels.length;
      levels.push(String(v));
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name: c.name, dtype: 'number', codes, levels };
}

const seenCache = new WeakMap<CategoricalColumn, Uint8Array>();
/** Levels that actually occur in the reference column (its level table may hold more after recoding). */
function seenLevels(ref: CategoricalColumn): Uint8Array {
  let s = seenCache.get(ref);
  if (!s) {
    s = new Uint8Array(ref.levels.length);
    for (let i = 0; i < ref.codes.length; i++) if (ref.codes[i] >= 0) s[ref.codes[i]] = 1;
    seenCache.set(ref, s);
  }
  return s;
}

/** §7.3 NumericalRangeCalculator: share of values outside the reference [min, max]; NaN does not count. */
export const numericalRangeCalculator: CalculatorDefinition<QualityParams> = {
  className: 'NumericalRangeCalculator',
  parseParams: (raw, where) => parseQualityParams(raw, where, { type: 'constant', lower: null, upper: 0 }),
  fit(reference, p) {
    const ranges = new Map<string, [number, number]>();
    for (const name of p.columnNames) {
      const c = getColumn(reference, name);
      if (kindOf(c) !== 'continuous' || c.kind !== 'numeric') {
        throw new DataError('reference', `column '${name}' is categorical; NumericalRangeCalculator accepts continuous columns only`);
      }
      let lo = Infinity;
      let hi = -Infinity;
      const values = c.values;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      // pandas' min/max of an all-NaN column are NaN, and no value compares outside NaN bounds.
      ranges.set(name, lo <= hi ? [lo, hi] : [NaN, NaN]);
    }
    return fitSeriesCalculator(reference, p.chunking, numericalRangeModel(ranges, p), ranges);
  },
  restore: seriesRestorer(numericalRangeModel),
};

function numericalRangeModel(ranges: Map<string, [number, number]>, p: QualityParams): SeriesModel {
  return {
    series: p.columnNames.map((column) => ({
      column,
      metric: 'numerical_range',
      threshold: p.threshold,
      limits: limitsFor(p.normalize),
      alertRule: 'strict',
    })),
    compute: (chunk) =>
      p.columnNames.map((name) => {
        const c = getColumn(chunk, name);
        if (c.kind !== 'numeric') throw new DataError('analysis', `column '${name}' is not numeric`);
        const [lo, hi] = ranges.get(name)!;
        let out = 0;
        const values = c.values;
        for (let i = 0; i < values.length; i++) if (values[i] < lo || values[i] > hi) out++;
        return { value: p.normalize ? out / chunk.length : out };
      }),
  };
}
