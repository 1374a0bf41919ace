/**
 * Fitted calculators persisted between runs, so a restart does not refit every model.
 *
 * A saved fit is the `saved` plain data of each fitted calculator (engine/calculator.ts), serialised with
 * V8's structured serialiser (exact doubles, NaN, typed arrays, Maps). It is trusted only when
 * - it was written by this code version (`FIT_CODE_VERSION`: the fit format and Vigil's version),
 * - its inputs hash matches the model's now: the reference bytes, the definition, the column types and
 *   the calculators (class, id, params) that the engine resolves for it today,
 * - its blob matches its SHA-256 checksum (a corrupt blob is never deserialised).
 * Otherwise the model is refitted from its stored reference, and the new fit saved.
 *
 * Calculators whose class has no `restore` or whose fit saved nothing (not persisted yet: DLE, concept
 * drift on regression, the domain classifier) are refitted on the reference when the model is loaded;
 * the others are restored from the blob.
 */
import { createHash } from 'crypto';
import * as v8 from 'v8';
import { Frame } from '../engine/frame';
import { familyOfCalculator } from '../engine/catalog';
import { VERSION } from '../api/version';
import { StoredFit } from '../store/types';
import { ALWAYS_ADDED, calculatorDefinition } from './calculators';
import { ModelDefinition } from './definition';
import { withoutFlags } from './frames';
import { ColumnSpec, ModelLayout } from './layout';
import { FittedEntry } from './runtime';

/** Bump when what a calculator saves, or how it is encoded here, changes: older saved fits are then refitted. */
export const FIT_FORMAT_VERSION = 4;
export const FIT_CODE_VERSION = `${FIT_FORMAT_VERSION}/${VERSION}`;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** What a fit is made from; a fit made from other inputs is not reused. */
export function fitInputsHash(def: ModelDefinition, specs: ColumnSpec[], calculators: unknown, reference: Buffer): string {
  return sha256(JSON.stringify({ reference: sha256(reference), def, specs, calculators }));
}

interface SavedFitsBlob {
  /** calculator id → its saved data (classes that cannot be restored are absent) */
  calculators: Map<string, unknown>;
}

/** The stored form of a model's fitted calculators. */
export function encodeFit(entries: FittedEntry[], inputsHash: string): StoredFit {
  const calculators = new Map<string, unknown>();
  for (const e of entries) if (e.fitted.saved !== undefined && calculatorDefinition(e.className)?.restore) calculators.set(e.id, e.fitted.saved);
  const blob = v8.serialize({ calculators } satisfies SavedFitsBlob);
  return { codeVersion: FIT_CODE_VERSION, inputsHash, checksum: sha256(blob), blob };
}

/** Why a stored fit cannot be used, or null when it can. */
export function staleReason(stored: StoredFit, inputsHash: string): string | null {
  if (stored.codeVersion !== FIT_CODE_VERSION) return `saved by another code version (${stored.codeVersion}, now ${FIT_CODE_VERSION})`;
  if (stored.inputsHash !== inputsHash) return 'the reference, definition or calculators changed since it was saved';
  if (sha256(stored.blob) !== stored.checksum) return 'its blob does not match its checksum (corrupt)';
  return null;
}

/**
 * `value` with every typed array that views `blob` replaced by a copy of its own. Node's deserializer
 * returns aligned typed arrays as views into the serialised buffer, so one small array kept by a fitted
 * calculator would otherwise keep the whole blob (about 1 MB a model) in memory for as long as the fit.
 */
function ownArrays(value: unknown, blob: ArrayBufferLike): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return value.buffer === blob ? (value as unknown as { slice(): unknown }).slice() : value;
  if (Object.prototype.toString.call(value) === '[object Map]') {
    const map = value as Map<unknown, unknown>;
    for (const [k, v] of map) map.set(k, ownArrays(v, blob));
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = ownArrays(value[i], blob);
  } else {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) obj[k] = ownArrays(obj[k], blob);
  }
  return value;
}

function readBlob(stored: StoredFit): SavedFitsBlob {
  const blob = ownArrays(v8.deserialize(stored.blob), stored.blob.buffer) as SavedFitsBlob;
  // Not `instanceof Map`: deserialised objects belong to the main realm, which a test sandbox is not.
  if (Object.prototype.toString.call(blob?.calculators) !== '[object Map]') throw new Error('saved fit: unexpected content');
  return blob;
}

/**
 * A fresh fit in the form a restore gives: each calculator saved in `stored` (its encodeFit) is restored
 * from it, the others stay as fitted. What a calculator keeps in memory after fitting can hold far more
 * than what it saves (about 3.5 MB a model against 1.2 MB restored, default calculators on 20 features),
 * and a restored fit calculates the same results (engine/performance/restore.test, saved-fits.test).
 */
export function compactFit(stored: StoredFit, fresh: FittedEntry[]): FittedEntry[] {
  const blob = readBlob(stored);
  return fresh.map((e) => {
    const calc = calculatorDefinition(e.className);
    const saved = blob.calculators.get(e.id);
    if (saved === undefined || !calc?.restore) return e;
    return { ...e, fitted: calc.restore(saved, calc.parseParams(e.resolved.params, `calculators.${e.id}.params`)) };
  });
}

/**
 * The fitted calculators of `layout` from a valid stored fit: restored where saved, fitted on the
 * reference (read only if needed) otherwise. Returns also how many were refitted.
 */
export function restoreFit(stored: StoredFit, layout: ModelLayout, reference: () => Frame): { entries: FittedEntry[]; refitted: number } {
  const blob = readBlob(stored);
  let ref: Frame | null = null;
  let refitted = 0;
  const entries = layout.calculators.map((resolved, order): FittedEntry => {
    const calc = calculatorDefinition(resolved.className);
    if (!calc) throw new Error(`saved fit: calculator class '${resolved.className}' is not available`);
    const params = calc.parseParams(resolved.params, `calculators.${resolved.id}.params`);
    // The server's own calculators read the flag side columns (as in fitModel).
    const usesFlags = ALWAYS_ADDED.includes(resolved.className);
    const saved = blob.calculators.get(resolved.id);
    let fitted;
    if (saved !== undefined && calc.restore) fitted = calc.restore(saved, params);
    else {
      ref ??= reference();
      fitted = calc.fit(usesFlags ? ref : withoutFlags(ref), params);
      refitted++;
    }
    return {
      className: resolved.className,
      id: resolved.id,
      family: familyOfCalculator(resolved.className)?.id ?? 'other',
      order,
      resolved,
      fitted,
      usesFlags,
    };
  });
  return { entries, refitted };
}

/**
 * An estimate of the memory a model's fitted calculators hold (for the fit cache's byte budget,
 * fit-cache.ts): what is reachable from each fitted calculator's own properties (its `saved` data
 * included), typed arrays by their bytes, numbers 8 bytes, strings 2 a character, objects and arrays a
 * small header and 8 bytes a slot; what is shared is counted once. State held only in closures is not
 * seen, so this is a lower bound for calculators whose fit keeps its state that way.
 */
// Not `instanceof`: deserialised objects belong to the main realm, which a test sandbox is not.
const tagOf = (v: object) => Object.prototype.toString.call(v);

export function fitBytes(entries: readonly FittedEntry[]): number {
  const seen = new Set<object>();
  let bytes = 0;
  const stack: unknown[] = entries.map((e) => e.fitted);
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number' || typeof v === 'boolean') bytes += 8;
    else if (typeof v === 'string') bytes += 16 + 2 * v.length;
    else if (v !== null && typeof v === 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
      if (ArrayBuffer.isView(v)) bytes += 64 + v.byteLength;
      else if (v instanceof ArrayBuffer) bytes += v.byteLength;
      else if (tagOf(v) === '[object Map]') {
        const map = v as Map<unknown, unknown>;
        bytes += 32 + 16 * map.size;
        for (const [k, x] of map) stack.push(k, x);
      } else if (tagOf(v) === '[object Set]') {
        const set = v as Set<unknown>;
        bytes += 32 + 8 * set.size;
        for (const x of set) stack.push(x);
      } else if (Array.isArray(v)) {
        // Numbers in an array sit in its slots.
        bytes += 16 + 8 * v.length;
        for (const x of v) if (typeof x !== 'number') stack.push(x);
      } else {
        const values = Object.values(v);
        bytes += 24 + 8 * values.length;
        for (const x of values) stack.push(x);
      }
    }
  }
  return bytes;
}
