/**
 * The errors a `vigil run` worker can raise that the CLI maps to its own one-line message and exit code:
 * rebuilt as their class in the main thread (threads/errors.ts), so a run on threads fails exactly as
 * the sequential run does.
 */
import { ConfigError, DataError } from '../engine/calculator';
import { ChunkingError } from '../engine/chunking';
import { ColumnNotFoundError } from '../engine/frame';
import { TimestampError } from '../engine/timestamps';
import { CsvError } from '../io/csv';
import { JoinError } from '../io/frames';
import { ErrorClasses, reviveError, SerializedError } from '../threads/errors';

export { serializeError } from '../threads/errors';
export type { SerializedError } from '../threads/errors';

const RUN_ERRORS: ErrorClasses = { ConfigError, DataError, ChunkingError, ColumnNotFoundError, TimestampError, CsvError, JoinError };

export function reviveRunError(s: SerializedError): Error {
  return reviveError(s, RUN_ERRORS);
}
