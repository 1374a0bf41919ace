/**
 * Turning mixed feature columns into numbers, as NannyML's data-reconstruction calculator does (spec §3.1
 * steps 2–3): sklearn `SimpleImputer` (mean / median / most frequent / constant) fitted on the reference,
 * then category_encoders `CountEncoder(normalize=True)` for categorical columns: a category becomes its
 * relative frequency in the imputed reference, and a category the reference never had becomes 0.
 *
 * Encoders are plain data (serialisable); `bindEncoder` attaches one to a frame's column and writes
 * encoded values block by block into a caller's buffer, so no per-row objects and no full-size copies.
 */
import { ConfigError, DataError } from '../calculator';
import { ColumnKind, kindOf } from '../columns';
import { keyIn } from '../params';
import { asCategorical, asNumeric, CategoricalColumn, Column, compareCodePoints, dropNaN, Frame, getColumn, sortedLevelOrder } from '../frame';

export type ContinuousImputer = { strategy: 'mean' | 'median' | 'most_frequent' } | { strategy: 'constant'; fillValue: number };
export type CategoricalImputer = { strategy: 'most_frequent' } | { strategy: 'constant'; fillValue: string };

export interface ContinuousEncoder {
  kind: 'continuous';
  name: string;
  /** value that replaces a missing one (the imputer's statistic) */
  fill: number;
}

export interface CategoricalEncoder {
  kind: 'categorical';
  name: string;
  /** category that replaces a missing value */
  fill: string;
  /** reference categories (after imputation) and their relative frequencies, aligned */
  levels: string[];
  frequencies: number[];
}

export type ColumnEncoder = ContinuousEncoder | CategoricalEncoder;

/** A column of one frame, ready to write encoded values: `out[offset + r] = encoded(row start + r)`. */
export interface BoundColumn {
  write(start: number, count: number, out: Float64Array, offset: number): void;
}

/** Parses NannyML's `imputer_continuous` (a SimpleImputer there; a strategy name or {strategy, fill_value} here). */
export function parseContinuousImputer(raw: unknown, where: string): ContinuousImputer {
  if (raw === undefined || raw === null) return { strategy: 'mean' };
  const { strategy, fillValue } = imputerShape(raw, where, ['mean', 'median', 'most_frequent', 'constant']);
  if (strategy !== 'constant') return { strategy } as ContinuousImputer;
  if (typeof fillValue !== 'number' || !Number.isFinite(fillValue)) throw new ConfigError(`${where}.fill_value`, 'must be a number for strategy constant');
  return { strategy, fillValue };
}

/** Parses NannyML's `imputer_categorical`: most_frequent (default) or constant (NannyML allows only these two). */
export function parseCategoricalImputer(raw: unknown, where: string): CategoricalImputer {
  if (raw === undefined || raw === null) return { strategy: 'most_frequent' };
  const { strategy, fillValue } = imputerShape(raw, where, ['most_frequent', 'constant']);
  if (strategy === 'most_frequent') return { strategy };
  // sklearn's default fill for text columns
  if (fillValue === undefined || fillValue === null) return { strategy: 'constant', fillValue: 'missing_value' };
  if (typeof fillValue !== 'string' && typeof fillValue !== 'number' && typeof fillValue !== 'boolean') {
    throw new ConfigError(`${where}.fill_value`, 'must be a string, number or boolean');
  }
  return { strategy: 'constant', fillValue: typeof fillValue === 'boolean' ? (fillValue ? 'True' : 'False') : String(fillValue) };
}

function imputerShape(raw: unknown, where: string, allowed: string[]): { strategy: string; fillValue?: unknown } {
  let strategy: unknown;
  let fillValue: unknown;
  if (typeof raw === 'string') strategy = raw;
  else if (typeof raw === 'object' && !Array.isArray(raw) && raw !== null) {
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'strategy' && k !== 'fill_value') throw new ConfigError(keyIn(where, k), 'unknown key (expected strategy, fill_value)');
    strategy = o.strategy;
    fillValue = o.fill_value;
  } else throw new ConfigError(where, 'must be a strategy name or {strategy, fill_value}');
  if (typeof strategy !== 'string' || !allowed.includes(strategy)) {
    throw new ConfigError(where, `unknown imputer strategy ${JSON.stringify(strategy)} (expected one of: ${allowed.join(', ')})`);
  }
  return { strategy, fillValue };
}

/**
 * Fits one column's imputer and (for categoricals) frequency table on the reference. The column's kind
 * follows its dtype (spec §0) unless `kind` overrides it (treat_as_categorical).
 */
export function fitEncoder(
  reference: Frame,
  name: string,
  continuousImputer: ContinuousImputer,
  categoricalImputer: CategoricalImputer,
  kind: ColumnKind = kindOf(getColumn(reference, name)),
): ColumnEncoder {
  const column = getColumn(reference, name);
  if (kind === 'continuous') return fitContinuous(asNumeric(column), continuousImputer);
  return fitCategorical(asCategorical(column), categoricalImputer);
}

function fitContinuous(column: { name: string; values: Float64Array }, imputer: ContinuousImputer): ContinuousEncoder {
  if (imputer.strategy === 'constant') return { kind: 'continuous', name: column.name, fill: imputer.fillValue };
  // the present values' count and sum in row order (the mean needs no copy of them)
  const values = column.values;
  let present = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      present++;
      sum += v;
    }
  }
  let fill: number;
  if (present === 0) {
    throw new DataError('reference', `column '${column.name}' has no values to impute from (all missing)`);
  } else if (imputer.strategy === 'mean') {
    fill = sum / present;
  } else {
    const sorted = dropNaN(values).slice().sort();
    if (imputer.strategy === 'median') {
      const m = sorted.length >> 1;
      fill = sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    } else {
      // most frequent, ties → smallest value (sorted scan keeps the first maximum)
      fill = sorted[0];
      let best = 0;
      for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j < sorted.length && sorted[j] === sorted[i]) j++;
        if (j - i > best) {
          best = j - i;
          fill = sorted[i];
        }
        i = j;
      }
    }
  }
  return { kind: 'continuous', name: column.name, fill };
}

function fitCategorical(column: CategoricalColumn, imputer: CategoricalImputer): CategoricalEncoder {
  const counts = new Float64Array(column.levels.length);
  let missing = 0;
  const codes = column.codes;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (code < 0) missing++;
    else counts[code]++;
  }
  let fill: string;
  if (imputer.strategy === 'constant') fill = imputer.fillValue;
  else {
    // mode; a tie goes to the smallest value (sklearn's _most_frequent), found by scanning in np.unique order
    let bestCode = -1;
    for (const code of sortedLevelOrder(column)) if (counts[code] > 0 && (bestCode < 0 || counts[code] > counts[bestCode])) bestCode = code;
    if (bestCode < 0) throw new DataError('reference', `column '${column.name}' has no values to impute from (all missing)`);
    fill = column.levels[bestCode];
  }
  const n = column.codes.length;
  const table = new Map<string, number>();
  column.levels.forEach((level, code) => {
    if (counts[code] > 0) table.set(level, counts[code]);
  });
  if (missing > 0) table.set(fill, (table.get(fill) ?? 0) + missing);
  const levels = [...table.keys()].sort(compareCodePoints);
  return { kind: 'categorical', name: column.name, fill, levels, frequencies: levels.map((l) => table.get(l)! / n) };
}

/**
 * Attaches an encoder to a frame (reference or chunk): imputes, encodes, and writes values on demand.
 * A category the reference never had encodes as `unseen` (0, as CountEncoder does, unless a caller
 * wants another value).
 */
export function bindEncoder(encoder: ColumnEncoder, frame: Frame, unseen = 0): BoundColumn {
  const column: Column = getColumn(frame, encoder.name);
  if (encoder.kind === 'continuous') {
    const values = asNumeric(column).values;
    const fill = encoder.fill;
    return {
      write(start, count, out, offset) {
        for (let r = 0; r < count; r++) {
          const v = values[start + r];
          out[offset + r] = v === v ? v : fill;
        }
      },
    };
  }
  const cat = asCategorical(column);
  const frequency = new Map<string, number>();
  encoder.levels.forEach((l, i) => frequency.set(l, encoder.frequencies[i]));
  // code → encoded value (CountEncoder, handle_unknown='value')
  const table = new Float64Array(cat.levels.length);
  cat.levels.forEach((l, code) => (table[code] = frequency.get(l) ?? unseen));
  const missingValue = frequency.get(encoder.fill) ?? unseen;
  const codes = cat.codes;
  return {
    write(start, count, out, offset) {
      for (let r = 0; r < count; r++) {
        const code = codes[start + r];
        out[offset + r] = code < 0 ? missingValue : table[code];
      }
    },
  };
}
