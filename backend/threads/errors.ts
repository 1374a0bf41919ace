/**
 * Errors across a thread boundary: a thread's error is posted as plain data and rebuilt on the other
 * side as the same class with the same message and own fields (e.g. ConfigError.where, ApiError.status),
 * so the receiver handles it exactly as if it had been thrown on its own thread. Each user names the
 * classes it can rebuild (batch/errors.ts, service/engine.ts); any other error comes back as a plain
 * Error with the same message and stack.
 */

export interface SerializedError {
  kind: string;
  message: string;
  stack?: string;
  /** Own primitive fields such as ConfigError.where and DataError.dataset. */
  fields: Record<string, unknown>;
}

/** Error classes by constructor name, for reviveError. */
export type ErrorClasses = Readonly<Record<string, { prototype: Error }>>;

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { kind: 'Error', message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  return { kind: e.constructor?.name ?? 'Error', message: e.message, stack: e.stack, fields };
}

/** The error `s` describes: an instance of its class when `known` names it, else a plain Error. */
export function reviveError(s: SerializedError, known: ErrorClasses): Error {
  const cls = Object.prototype.hasOwnProperty.call(known, s.kind) ? known[s.kind] : undefined;
  // Object.create, not the constructor: constructors reformat the message (ConfigError prefixes `where`).
  const e: Error = cls ? (Object.create(cls.prototype) as Error) : new Error();
  Object.assign(e, s.fields);
  Object.defineProperty(e, 'message', { value: s.message, writable: true, configurable: true });
  if (s.stack) Object.defineProperty(e, 'stack', { value: s.stack, writable: true, configurable: true });
  return e;
}
