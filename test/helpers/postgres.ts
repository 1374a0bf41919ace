/**
 * A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, `pg_ctl start` on a free
 * loopback port with its socket in that folder, one database, and removal afterwards. PostgreSQL refuses
 * to run as root, so when the tests run as root the cluster runs as the `postgres` system user (the
 * Debian package creates it) and the folder is handed to that user.
 *
 * Start it once per test file (beforeAll), it takes about a second; each test can create a database of
 * its own with `createDatabase`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface ThrowawayPostgres {
  /** postgres://USER@127.0.0.1:PORT/DB of the database made at start. */
  url: string;
  port: number;
  user: string;
  /** Creates another empty database and returns its URL. */
  createDatabase(name: string): string;
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): void;
}

/** The newest installed PostgreSQL's bin folder (Debian layout), or null when none is installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * `durable`: fsync and synchronous commit on, as a production server runs (the bench measures with it);
 * tests run without, which a throwaway cluster does not need.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (.ci/run does)');
  const asRoot = isRoot();
  // The cluster's OS user; its database superuser has the same name.
  const user = asRoot ? 'postgres' : os.userInfo().username;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  const run = (exe: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, exe), asRoot ? ['-u', 'postgres', '--', path.join(bin, exe), ...args] : args, { stdio: 'pipe', cwd: dir });
  run('initdb', ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  const fast = opts.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200${fast}`;
  try {
    run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  } catch (e) {
    const log = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8') : '';
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${(e as Error).message}\n${log}`);
  }
  let stopped = false;
  const createDatabase = (name: string) => {
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', user, name]);
    return `postgres://${user}@127.0.0.1:${port}/${name}`;
  };
  const url = createDatabase('vigil');
  return {
    url,
    port,
    user,
    createDatabase,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
