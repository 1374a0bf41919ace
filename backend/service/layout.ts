/**
 * A model's stored layout: the type of every column (fixed when the first reference arrives, from the
 * declared kinds or else from the reference data, the way `vigil run` types a CSV column), the payload
 * order of the analysis rows, the stream chunker, and the resolved calculators.
 */
import { Incomplete, PeriodAlias } from '../engine/chunking';
import { CategoricalDtype, NumericDtype } from '../engine/frame';
import { SourceColumn } from './body';
import { ModelDefinition, payloadColumns } from './definition';

export type ColumnRole = 'feature' | 'y_pred' | 'y_pred_proba' | 'y_true' | 'timestamp' | 'id';

export type ColumnSpec =
  | { name: string; role: ColumnRole; kind: 'numeric'; dtype: NumericDtype }
  | { name: string; role: ColumnRole; kind: 'categorical'; dtype: CategoricalDtype };

export type StreamChunker = { type: 'size'; size: number; incomplete: Incomplete } | { type: 'period'; period: PeriodAlias };

export interface ResolvedCalculator {
  className: string;
  id: string;
  params: Record<string, unknown>;
}

export interface SkippedCalculator {
  className: string;
  reason: string;
}

export interface ModelLayout {
  /** Stored in each analysis row's payload, in this order. */
  payload: ColumnSpec[];
  target: ColumnSpec | null;
  timestamp: string | null;
  id: string | null;
  chunker: StreamChunker;
  calculators: ResolvedCalculator[];
  /** Default calculators left out, with the reason (not registered, not applicable, failed to fit). */
  skipped: SkippedCalculator[];
}

/** Type of a source column as `vigil run` would read it (pandas semantics). */
export function inferSpec(name: string, role: ColumnRole, src: SourceColumn | undefined): ColumnSpec {
  if (!src) return { name, role, kind: 'numeric', dtype: 'float' };
  if (src.type === 'frame') {
    const c = src.column;
    return c.kind === 'numeric' ? { name, role, kind: 'numeric', dtype: c.dtype } : { name, role, kind: 'categorical', dtype: c.dtype };
  }
  let numbers = 0;
  let integers = 0;
  let bools = 0;
  let missing = 0;
  let other = 0;
  for (const v of src.values) {
    if (v === null || v === undefined) missing++;
    else if (typeof v === 'number') {
      numbers++;
      if (Number.isInteger(v)) integers++;
    } else if (typeof v === 'boolean') bools++;
    else other++;
  }
  if (other === 0 && bools === 0) return { name, role, kind: 'numeric', dtype: numbers === integers && missing === 0 && numbers > 0 ? 'int' : 'float' };
  if (other === 0 && numbers === 0) return { name, role, kind: 'categorical', dtype: 'bool' };
  return { name, role, kind: 'categorical', dtype: 'string' };
}

/**
 * The declared kind wins over the data: a feature declared categorical is stored as categories (numbers
 * as their text, ordered numerically), one declared continuous as numbers.
 */
export function resolveSpec(def: ModelDefinition, name: string, role: ColumnRole, src: SourceColumn | undefined): ColumnSpec {
  const inferred = inferSpec(name, role, src);
  if (role === 'y_pred_proba') return { name, role, kind: 'numeric', dtype: 'float' };
  if (def.columns.categorical.includes(name) && inferred.kind === 'numeric') return { name, role, kind: 'categorical', dtype: 'number' };
  if (def.columns.continuous.includes(name) && inferred.kind === 'categorical') return { name, role, kind: 'numeric', dtype: 'float' };
  return inferred;
}

export function resolveColumns(def: ModelDefinition, columns: Map<string, SourceColumn>): Pick<ModelLayout, 'payload' | 'target' | 'timestamp' | 'id'> {
  const payload = payloadColumns(def).map((c) => resolveSpec(def, c.name, c.role, columns.get(c.name)));
  const y = def.columns.y_true;
  return {
    payload,
    target: y ? resolveSpec(def, y, 'y_true', columns.get(y)) : null,
    timestamp: def.columns.timestamp,
    id: def.columns.id,
  };
}

/**
 * The chunker of the analysis stream. Size chunks run over rows in arrival order; chunk_number and the
 * default (NannyML's 10 chunks) split the reference as NannyML does, and the stream uses chunks of the
 * same size as the reference's.
 */
export const DEFAULT_CHUNK_COUNT = 10; // NannyML's DefaultChunker

export function streamChunker(def: ModelDefinition, referenceRows: number): StreamChunker {
  const k = def.chunking;
  const incomplete: Incomplete = k.incomplete ?? 'keep';
  if (k.chunk_period) return { type: 'period', period: k.chunk_period };
  if (k.chunk_size) return { type: 'size', size: k.chunk_size, incomplete };
  const count = k.chunk_number ?? DEFAULT_CHUNK_COUNT;
  return { type: 'size', size: Math.max(1, Math.floor(referenceRows / count)), incomplete: k.chunk_number ? incomplete : 'keep' };
}

/** Categorical dictionary of one column: levels by code, and the code of each level. */
export class Dictionary {
  readonly levels: string[];
  private readonly index = new Map<string, number>();

  constructor(levels: string[] = []) {
    this.levels = levels.slice();
    this.levels.forEach((l, i) => this.index.set(l, i));
  }

  code(level: string): number | undefined {
    return this.index.get(level);
  }

  add(level: string): number {
    const code = this.levels.length;
    this.levels.push(level);
    this.index.set(level, code);
    return code;
  }
}

/**
 * New levels of one batch, kept apart until the batch is stored so that a rejected batch leaves the
 * dictionary unchanged.
 */
export class DictionaryOverlay {
  private readonly added = new Map<string, string[]>();
  private readonly addedIndex = new Map<string, Map<string, number>>();

  constructor(private readonly base: Map<string, Dictionary>) {}

  code(column: string, level: string): number {
    const d = this.base.get(column);
    const existing = d?.code(level);
    if (existing !== undefined) return existing;
    let idx = this.addedIndex.get(column);
    if (!idx) {
      idx = new Map();
      this.addedIndex.set(column, idx);
      this.added.set(column, []);
    }
    const pending = idx.get(level);
    if (pending !== undefined) return pending;
    const code = (d?.levels.length ?? 0) + idx.size;
    idx.set(level, code);
    this.added.get(column)!.push(level);
    return code;
  }

  newLevels(): { column: string; code: number; value: string }[] {
    const out: { column: string; code: number; value: string }[] = [];
    for (const [column, levels] of this.added) {
      const start = this.base.get(column)?.levels.length ?? 0;
      levels.forEach((value, i) => out.push({ column, code: start + i, value }));
    }
    return out;
  }

  /** After the batch is stored. */
  commit(): void {
    for (const [column, levels] of this.added) {
      let d = this.base.get(column);
      if (!d) this.base.set(column, (d = new Dictionary()));
      for (const l of levels) d.add(l);
    }
    this.added.clear();
    this.addedIndex.clear();
  }

  levelsOf(column: string): string[] {
    return [...(this.base.get(column)?.levels ?? []), ...(this.added.get(column) ?? [])];
  }
}
