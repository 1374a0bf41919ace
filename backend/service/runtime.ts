/**
 * Models in memory, and fitting a model's calculators on its reference.
 */
import { FittedCalculator } from '../engine/calculator';
import { familyOfCalculator } from '../engine/catalog';
import { Frame } from '../engine/frame';
import { ModelRecord, ResultRecord } from '../store/types';
import { ALWAYS_ADDED, calculatorDefinition, resolveCalculators } from './calculators';
import { ModelDefinition } from './definition';
import { ApiError, badRequest } from './errors';
import { CalculatorIdentity, referenceRecords, withoutFlags } from './frames';
import { ColumnSpec, Dictionary, ModelLayout, ResolvedCalculator, SkippedCalculator } from './layout';

export interface FittedEntry extends CalculatorIdentity {
  resolved: ResolvedCalculator;
  fitted: FittedCalculator;
  /** Reads the ingest-flag side columns (type inconsistency, invalid values). */
  usesFlags: boolean;
}

/** Serialises the mutations of one model (ingest, targets, reference, delete). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(f: () => Promise<T>): Promise<T> {
    const next = this.tail.then(f, f);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * A model as the main thread holds it: definition, layout and categorical dictionaries (the fitted
 * calculators live in the compute core, compute.ts).
 */
export class ModelRuntime {
  layout: ModelLayout | null;
  dicts = new Map<string, Dictionary>();
  readonly lock = new Mutex();
  deleted = false;

  constructor(
    public record: ModelRecord,
    readonly def: ModelDefinition,
  ) {
    this.layout = (record.layout as ModelLayout | null) ?? null;
  }

  specs(): Map<string, ColumnSpec> {
    const m = new Map<string, ColumnSpec>();
    if (!this.layout) return m;
    for (const s of this.layout.payload) m.set(s.name, s);
    if (this.layout.target) m.set(this.layout.target.name, this.layout.target);
    return m;
  }
}

export interface FitOutcome {
  entries: FittedEntry[];
  skipped: SkippedCalculator[];
  records: ResultRecord[];
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Resolves and fits the model's calculators on the reference (sorted by time, with type-flag columns).
 * An explicit calculator that fails rejects the reference (400 naming `calculators[i]`); a default one
 * that fails is skipped, with the reason.
 */
export function fitModel(def: ModelDefinition, specs: Map<string, ColumnSpec>, reference: Frame): FitOutcome {
  let resolved;
  try {
    resolved = resolveCalculators({ def, specs });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest('reference_rejected', describe(e), (e as { where?: string }).where ?? 'calculators');
  }
  const base = withoutFlags(reference);
  const entries: FittedEntry[] = [];
  const skipped = [...resolved.skipped];
  const records: ResultRecord[] = [];
  for (const c of resolved.candidates) {
    const calc = calculatorDefinition(c.resolved.className)!;
    const usesFlags = ALWAYS_ADDED.includes(c.resolved.className);
    let fitted: FittedCalculator;
    try {
      const params = calc.parseParams(c.resolved.params, `${c.where}.params`);
      fitted = calc.fit(usesFlags ? reference : base, params);
    } catch (e) {
      if (c.explicit) {
        throw badRequest('reference_rejected', `${c.resolved.className} (${c.where}) cannot be fitted on this reference: ${describe(e)}`, c.where);
      }
      skipped.push({ className: c.resolved.className, reason: `could not be fitted on the reference: ${describe(e)}` });
      continue;
    }
    const identity: CalculatorIdentity = {
      className: c.resolved.className,
      id: c.resolved.id,
      family: familyOfCalculator(c.resolved.className)?.id ?? 'other',
      order: entries.length,
    };
    entries.push({ ...identity, resolved: c.resolved, fitted, usesFlags });
    // One by one, not push(...): spread arguments overflow the call stack past ~120k records (hourly
    // chunks over a year × 15 series).
    for (const r of referenceRecords(identity, fitted.reference)) records.push(r);
  }
  return { entries, skipped, records };
}

/** Whether two resolved calculator lists are the same (class, id, params). */
export function sameCalculators(a: ResolvedCalculator[], b: ResolvedCalculator[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
