/**
 * Opening the store: a `postgres://` (or `postgresql://`) URL opens the PostgreSQL store, anything else
 * is a SQLite file path (the default). Every thread of the server opens its own store from the same
 * location (compute workers, the ingest writer), so one URL moves the whole server to PostgreSQL.
 */
import { isPostgresUrl } from './location';
import { SqliteOptions, SqliteStore } from './sqlite';
import { Store } from './types';

export * from './types';
export { encodeFrame, decodeFrame } from './frame-codec';

export { isPostgresUrl, redactLocation } from './location';

export function openStore(location: string, options: SqliteOptions = {}): Store {
  if (isPostgresUrl(location)) {
    // Loaded only when used: a SQLite server (and each of its threads) never loads `pg`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PostgresStore } = require('./postgres') as typeof import('./postgres');
    return new PostgresStore(location);
  }
  return new SqliteStore(location, options);
}
