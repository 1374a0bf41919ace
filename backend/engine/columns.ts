/**
 * Column typing as NannyML's `_split_features_by_type` (spec §0): numeric dtypes are continuous,
 * strings/booleans categorical; `treat_as_categorical` / `treat_as_numerical` override.
 */
import { asCategorical, asNumeric, CategoricalColumn, Column, Frame, getColumn, NumericColumn } from './frame';

export type ColumnKind = 'continuous' | 'categorical';

export function kindOf(c: Column): ColumnKind {
  return c.kind === 'numeric' ? 'continuous' : 'categorical';
}

export interface TypedColumns {
  continuous: string[];
  categorical: string[];
}

/** Splits column names by type on the reference; lists come back in sorted name order (NannyML). */
export function splitByType(
  frame: Frame,
  names: string[],
  treatAsCategorical: string[] = [],
  treatAsNumerical: string[] = [],
): TypedColumns {
  const out: TypedColumns = { continuous: [], categorical: [] };
  for (const name of [...names].sort()) {
    const c = getColumn(frame, name);
    let kind = kindOf(c);
    if (treatAsCategorical.includes(name)) kind = 'categorical';
    if (treatAsNumerical.includes(name)) kind = 'continuous';
    out[kind].push(name);
  }
  return out;
}

export function categoricalOf(frame: Frame, name: string): CategoricalColumn {
  return asCategorical(getColumn(frame, name));
}

export function numericOf(frame: Frame, name: string): NumericColumn {
  return asNumeric(getColumn(frame, name));
}

/** True where the value is missing (NaN or missing code). */
export function isMissingAt(c: Column, i: number): boolean {
  return c.kind === 'numeric' ? Number.isNaN(c.values[i]) : c.codes[i] < 0;
}

export function countMissing(c: Column): number {
  let k = 0;
  if (c.kind === 'numeric') {
    for (let i = 0; i < c.values.length; i++) if (Number.isNaN(c.values[i])) k++;
  } else {
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] < 0) k++;
  }
  return k;
}
