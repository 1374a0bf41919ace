/**
 * `vigil run` input check: the y_pred_proba columns CBPE reads must hold probabilities. A score outside
 * [0, 1] (±inf included, which NannyML's isotonic calibrator refuses as non-finite input) is refused
 * with the file, the column and the first bad row, where it would otherwise skew every estimate of its
 * chunk. Missing values (empty, NaN) pass: CBPE drops those rows as NannyML does (spec §4.2).
 *
 * Only `vigil run` calls this, on the frames as read (rows in file order, before any sort by timestamp):
 * the server keeps out-of-range values and counts them as data-quality findings instead.
 */
import { Frame } from '../engine/frame';
import { CsvError } from './csv';

/** A column that must hold probabilities, and who reads it (for the message). */
export interface ProbabilityColumn {
  column: string;
  /** who reads it, e.g. `CBPE 'estimated', calculators[3].params.y_pred_proba` */
  role: string;
}

/**
 * Throws on the first value outside [0, 1] in any of `columns` present in `frame` as numbers. Absent or
 * text columns are left to the calculator, which names them in its own error.
 */
export function assertProbabilities(frame: Frame, columns: readonly ProbabilityColumn[] | undefined, label: string): void {
  if (!columns) return;
  for (const { column, role } of columns) {
    const c = frame.columns.get(column);
    if (!c || c.kind !== 'numeric') continue;
    const values = c.values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // NaN fails both comparisons below but is a missing value: let it through.
      if (v >= 0 && v <= 1) continue;
      if (v !== v) continue;
      throw new CsvError(
        `${label}: column '${column}' (${role}), data row ${i + 1} (1-based, header not counted): ${String(v)} is not a probability in [0, 1]`,
      );
    }
  }
}
