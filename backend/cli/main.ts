/**
 * The `vigil` command: `run` (batch, from files), `serve` (the server), `demo` (server with a demo model).
 */
import { runCommand, UsageError } from './run';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { describe: string; load: () => Command }> = {
  run: { describe: 'compute monitoring results from CSV files (run CONFIG [--out FILE])', load: () => runCommand },
};

export function registerCommand(name: string, describe: string, load: () => Command): void {
  COMMANDS[name] = { describe, load };
}

// Loaded on use, so `vigil run` does not load the server.
registerCommand('serve', 'run the server (serve [--port N] [--db PATH] [--host HOST])', () => (require('./serve') as typeof import('./serve')).serveCommand);
registerCommand('demo', 'run the server with a generated demo model (demo [--port N] [--db PATH])', () => (require('./demo') as typeof import('./demo')).demoCommand);

function usage(): string {
  return ['usage: vigil <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(8)} ${c.describe}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`vigil: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  try {
    return await cmd.load()(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`vigil: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
