/**
 * DLE's preprocessing of categorical features (spec §5): missing values become the category
 * 'NML_missing_value', categories are ordinal-encoded in sorted order (fitted on the reference) and shifted
 * by one, so categories the reference never had become 0 and the seen ones 1..k. The codes go to the GBDT
 * as a categorical feature.
 */
import { CategoricalColumn, compareCodePoints } from '../../frame';

/** NannyML's SimpleImputer fill value for categorical features. */
export const MISSING_CATEGORY = 'NML_missing_value';
/** The code of a category the reference did not have (OrdinalEncoder's unknown_value −1, plus 1). */
export const UNKNOWN_CATEGORY_CODE = 0;

/** Plain data: category → code (1..k), in the order the encoder sorted them. */
export interface CategoryEncoder {
  categories: string[];
}

/**
 * Sorted categories of the (imputed) reference. Strings sort by code point (np.unique). For booleans and
 * numbers-as-categories NannyML's encoder fails when 'NML_missing_value' joins them; Vigil puts it last.
 */
export function fitCategoryEncoder(reference: CategoricalColumn): CategoryEncoder {
  const present = new Uint8Array(reference.levels.length);
  let missing = false;
  const codes = reference.codes;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) missing = true;
    else present[c] = 1;
  }
  const seen = reference.levels.filter((_, i) => present[i]);
  let categories: string[];
  if (reference.dtype === 'string') {
    categories = [...new Set(missing ? [...seen, MISSING_CATEGORY] : seen)].sort(compareCodePoints);
  } else {
    const order = reference.dtype === 'number' ? (a: string, b: string) => Number(a) - Number(b) : compareCodePoints;
    categories = [...seen].sort(order);
    if (missing && !categories.includes(MISSING_CATEGORY)) categories.push(MISSING_CATEGORY);
  }
  return { categories };
}

/** Codes of a column's rows: 1..k for the reference's categories, 0 for others. */
export function encodeCategories(encoder: CategoryEncoder, column: CategoricalColumn): Float64Array {
  const codeOf = new Map<string, number>();
  encoder.categories.forEach((c, i) => codeOf.set(c, i + 1));
  const levelCode = column.levels.map((l) => codeOf.get(l) ?? UNKNOWN_CATEGORY_CODE);
  const missingCode = codeOf.get(MISSING_CATEGORY) ?? UNKNOWN_CATEGORY_CODE;
  const out = new Float64Array(column.codes.length);
  for (let i = 0; i < out.length; i++) {
    const c = column.codes[i];
    out[i] = c < 0 ? missingCode : levelCode[c];
  }
  return out;
}
