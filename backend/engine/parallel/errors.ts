/**
 * Errors across the thread boundary: a worker's error is posted as plain data and rebuilt in the main
 * thread as the same class with the same message and fields, so `vigil run` maps it to the same one-line
 * message and exit code as when it ran on the main thread.
 */
import { ConfigError, DataError } from '../calculator';
import { ChunkingError } from '../chunking';
import { ColumnNotFoundError } from '../frame';
import { TimestampError } from '../timestamps';
import { CsvError } from '../../io/csv';
import { JoinError } from '../../io/frames';

export interface SerializedError {
  kind: string;
  message: string;
  stack?: string;
  /** Own fields such as ConfigError.where and DataError.dataset. */
  fields: Record<string, unknown>;
}

const KNOWN: Record<string, { prototype: Error }> = {
  ConfigError,
  DataError,
  ChunkingError,
  ColumnNotFoundError,
  TimestampError,
  CsvError,
  JoinError,
};

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { kind: 'Error', message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  return { kind: e.constructor?.name ?? 'Error', message: e.message, stack: e.stack, fields };
}

export function reviveError(s: SerializedError): Error {
  const known = KNOWN[s.kind];
  // Object.create, not the constructor: constructors reformat the message (ConfigError prefixes `where`).
  const e: Error = known ? (Object.create(known.prototype) as Error) : new Error();
  Object.assign(e, s.fields);
  Object.defineProperty(e, 'message', { value: s.message, writable: true, configurable: true });
  if (s.stack) Object.defineProperty(e, 'stack', { value: s.stack, writable: true, configurable: true });
  return e;
}
