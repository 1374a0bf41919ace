/**
 * NannyML 0.13.1 failures on valid input that Vigil handles (docs/nannyml-differences.md, "NannyML
 * errors"): the differential tests accept exactly these, on exactly these data, and compare nothing for
 * that calculator; any other NannyML error fails the test.
 */
import { OutputRow } from '../run/helpers';
import { RowQuirk } from './compare';
import { PeerCase } from './generator';

interface KnownError {
  /** calculator id in the generated config */
  id: string;
  /** a fragment of NannyML's message */
  message: string;
  /** the data it happens on */
  when: (c: PeerCase) => boolean;
  /** docs/nannyml-differences.md section */
  doc: string;
}

export const KNOWN_NANNYML_ERRORS: KnownError[] = [
  {
    // DLE casts categorical columns to object and fills missing values with the string
    // 'NML_missing_value': a boolean column with a missing value then mixes bool and str, which
    // scikit-learn's OrdinalEncoder refuses.
    id: 'dle',
    message: 'Encoders require their input argument must be uniformly strings or numbers',
    when: (c) => c.boolMissing,
    doc: 'DLE: boolean column with missing values',
  },
  {
    // The multiclass realized confusion matrix of a reference chunk that lacks a class (in y_true and
    // y_pred) is smaller than K×K (sklearn's confusion_matrix without `labels`); stacking the chunks'
    // matrices fails and the whole PerformanceCalculator fit fails with this follow-up error.
    id: 'realized',
    message: "'MulticlassClassificationConfusionMatrix' object has no attribute 'alert_thresholds'",
    when: (c) => c.problem === 'classification_multiclass',
    doc: 'multiclass realized confusion matrix: a reference chunk without every class',
  },
];

export function expectedNannymlError(c: PeerCase, id: string, message: string): boolean {
  return KNOWN_NANNYML_ERRORS.some((k) => k.id === id && message.includes(k.message) && k.when(c));
}

/**
 * Rows where NannyML's own code raises and its result row becomes NaN: the realized binary specificity
 * unpacks `tn, fp, fn, tp = confusion_matrix(y_true, y_pred).ravel()`, which has one cell, not four, when
 * a chunk's labelled rows hold a single class in y_true and y_pred; the exception turns value, sampling
 * error and alert into NaN. Vigil gives TN/(TN+FP) (NaN when that is 0/0), the SE from the chunk's
 * size and the strict alert (none on NaN), as NannyML does for every other chunk. When the chunk is a
 * reference chunk, the exception escapes NannyML's threshold fit: the whole series has no thresholds.
 */
export const nannymlRowQuirk: RowQuirk = (v: OutputRow, n: OutputRow) => {
  // The median's SE on a constant column: NannyML means scipy's gaussian_kde to fail there (it catches
  // the LinAlgError and takes an infinite density, i.e. SE 0, which is Vigil's answer), but np.cov leaves
  // a residue of ~1e-31 and the KDE's density becomes an artifact of rounding (SE 1e-12 .. 2e-3).
  if (v.calculator === 'SummaryStatsMedianCalculator' && v.column === 'f_const') {
    return { fields: ['sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary'], why: 'median SE of a constant column (scipy KDE rounding)' };
  }
  // A reference chunk that is the whole reference: every row is labelled 1, LightGBM refuses to train on
  // one class and NannyML reports NaN (its own 0.5 for "cannot discriminate" comes after, never reached).
  if (v.calculator === 'DomainClassifierCalculator' && v.period === 'reference' && n.value === null && v.value === 0.5) {
    return { fields: ['value', 'alert'], why: 'domain classifier on a chunk that is the whole reference' };
  }
  if (v.calculator !== 'PerformanceCalculator' || v.metric !== 'specificity') return null;
  const fields: string[] = [];
  if (n.value === null && n.sampling_error === null && n.alert === null) fields.push('value', 'sampling_error', 'alert');
  // the same exception on a reference chunk while fitting: NannyML logs it and keeps no thresholds
  if (n.upper_threshold === null && n.lower_threshold === null && v.upper_threshold !== null) fields.push('upper_threshold', 'lower_threshold', 'alert');
  return fields.length ? { fields, why: 'NannyML specificity on a single-class chunk (exception)' } : null;
};
