/**
 * Opening the store. SQLite is the only backend today; a PostgreSQL adapter implements `Store` too.
 */
import { SqliteOptions, SqliteStore } from './sqlite';
import { Store } from './types';

export * from './types';
export { encodeFrame, decodeFrame } from './frame-codec';

export function openStore(location: string, options: SqliteOptions = {}): Store {
  return new SqliteStore(location, options);
}
