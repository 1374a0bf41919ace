/**
 * The python of the peers' pinned venv (NannyML, Evidently, numpy/scipy), created on first use by
 * bench/peers/env.sh and reused while bench/peers/requirements.txt is unchanged.
 */
import * as path from 'path';
import { execFileSync } from 'child_process';

const ENV_SCRIPT = path.join(__dirname, 'env.sh');
/** The first install downloads ~600 MB of wheels; allow for a slow mirror. */
const INSTALL_TIMEOUT_MS = 20 * 60_000;

let cached: string | null = null;

/** Path of the venv's python; installs the venv first when it is missing or stale. Throws with pip's output on failure. */
export function peersPython(): string {
  if (cached) return cached;
  const out = execFileSync('bash', [ENV_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: INSTALL_TIMEOUT_MS });
  cached = out.trim().split('\n').pop()!;
  return cached;
}
