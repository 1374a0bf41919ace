/** The shared store suite on a SQLite file, and what only SQLite has (WAL, user_version). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { categorical, makeFrame, numeric } from '../../backend/engine/frame';
import { decodeFrame, encodeFrame } from '../../backend/store/frame-codec';
import { MIGRATIONS } from '../../backend/store/migrations';
import { SqliteStore } from '../../backend/store/sqlite';
import { storeSuite } from './store-suite';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-store-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
storeSuite(async () => {
  const file = path.join(dir, `s${n++}.db`);
  return { store: new SqliteStore(file), reopen: () => new SqliteStore(file) };
});

test('SQLite: WAL mode and the schema version after reopening', async () => {
  const file = path.join(dir, 'wal.db');
  await new SqliteStore(file).close();
  const again = new SqliteStore(file);
  expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(again.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  await again.close();
});

test('frames round-trip through the blob codec', () => {
  const f = makeFrame([numeric('a', [1.5, NaN, -3], 'float'), categorical('b', ['x', null, 'y']), numeric('c', [1, 2, 3], 'int')]);
  const back = decodeFrame(encodeFrame(f));
  expect(back.names).toEqual(['a', 'b', 'c']);
  expect(back.length).toBe(3);
  expect(back.columns.get('a')).toEqual(f.columns.get('a'));
  expect(back.columns.get('b')).toEqual(f.columns.get('b'));
  expect(back.columns.get('c')).toEqual(f.columns.get('c'));
});
