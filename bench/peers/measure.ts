/**
 * The bench's peers: NannyML itself and Evidently, each a whole Python process on the scenario's config
 * (bench/peers/nannyml_driver.py, bench/peers/evidently_driver.py), timed like `vigil run`: wall, CPU and
 * peak RSS of the process, start-up and imports included, and the ratios to Vigil's run.
 */
import * as path from 'path';
import { lastLine, Measurement, runMeasured } from '../measure';
import { peersPython } from './env';

export type Peer = 'nannyml' | 'evidently';

const PEER_TIMEOUT_MS = 90 * 60_000;
const MIB = 1024 * 1024;

const cpuOf = (m: Measurement) => (m.user_cpu_s ?? 0) + (m.system_cpu_s ?? 0);

/**
 * Runs each peer once and returns `<peer>_wall_s`, `_cpu_s`, `_peak_rss_mib` and the ratios
 * `<peer>_wall_ratio` (peer wall / Vigil wall, i.e. how many times faster Vigil is), `_cpu_ratio`,
 * `_rss_ratio`. Evidently covers only the univariate drift part of a config: its ratios are like for like
 * only on a drift-only scenario (`drift`).
 */
export async function runPeers(
  peers: Peer[],
  configPath: string,
  workDir: string,
  id: string,
  vigil: Measurement,
  log: (line: string) => void,
): Promise<{ metrics: Record<string, number | null>; notes: string[] }> {
  const metrics: Record<string, number | null> = {};
  const notes: string[] = [];
  for (const peer of peers) {
    log(`${id}: ${peer} (the Python library itself, one process) ...`);
    let m: Measurement;
    try {
      const args =
        peer === 'nannyml'
          ? [path.join(__dirname, 'nannyml_driver.py'), configPath, '--out', path.join(workDir, `${id}.nannyml.json`), '--timing']
          : [path.join(__dirname, 'evidently_driver.py'), configPath, '--timing'];
      m = await runMeasured(peersPython(), args, { timeoutMs: PEER_TIMEOUT_MS });
    } catch (e) {
      notes.push(`${peer} could not run: ${e instanceof Error ? e.message : e}`);
      continue;
    }
    if (m.exit_code !== 0) {
      notes.push(`${peer} exited ${m.exit_code}: ${lastLine(m.stderr)}`);
      continue;
    }
    // a non-Node child's usage comes from its own report (getrusage of the Python process, its threads included)
    const timing = JSON.parse(lastLine(m.stdout)) as { read_s: number; compute_s: number; cpu_s: number; max_rss_bytes: number };
    const cpu = m.user_cpu_s !== null ? cpuOf(m) : timing.cpu_s;
    const rssBytes = m.max_rss_bytes ?? timing.max_rss_bytes;
    const rss = rssBytes / MIB;
    Object.assign(metrics, {
      [`${peer}_wall_s`]: m.wall_s,
      [`${peer}_cpu_s`]: cpu,
      [`${peer}_peak_rss_mib`]: rss,
      [`${peer}_read_s`]: timing.read_s,
      [`${peer}_compute_s`]: timing.compute_s,
      [`${peer}_wall_ratio`]: m.wall_s / vigil.wall_s,
      [`${peer}_cpu_ratio`]: cpuOf(vigil) > 0 ? cpu / cpuOf(vigil) : null,
      [`${peer}_rss_ratio`]: vigil.max_rss_bytes ? rssBytes / vigil.max_rss_bytes : null,
    });
  }
  return { metrics, notes };
}
