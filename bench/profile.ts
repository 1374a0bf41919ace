/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time per function, heaviest first, so a missed
 * target can be traced to a function in a file.
 *
 *   node -r ./bench/register.js bench/profile.ts bench/.data/profiles/suite/   (a folder or .cpuprofile files)
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './measure';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  function: string;
  location: string;
  self_ms: number;
  share: number;
}

/**
 * Self time per function over one or more profiles (a process with worker threads writes one per
 * thread: their times add up to the CPU the process spent). Idle time is left out.
 */
export function summariseProfile(files: string | string[], top = 15): HotFunction[] {
  const selfUs = new Map<string, number>();
  let total = 0;
  for (const file of typeof files === 'string' ? [files] : files) {
    const profile: CpuProfile = JSON.parse(fs.readFileSync(file, 'utf8'));
    const byNode = new Map<number, ProfileNode>();
    for (const n of profile.nodes) byNode.set(n.id, n);
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byNode.get(profile.samples[i]);
      const dt = profile.timeDeltas[i] ?? 0;
      if (!node || node.callFrame.functionName === '(idle)') continue;
      const cf = node.callFrame;
      const url = cf.url.replace(/^file:\/\//, '');
      const location = url ? `${path.relative(ROOT, url)}:${cf.lineNumber + 1}` : '(native)';
      const key = `${cf.functionName || '(anonymous)'}\u0000${location}`;
      selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
      total += dt;
    }
  }
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => {
      const [fn, location] = key.split('\u0000');
      return { function: fn, location, self_ms: us / 1000, share: total > 0 ? us / total : 0 };
    });
}

/** Self time per source file (a module-level view: which calculator or reader costs what). */
export function summariseByFile(file: string | string[], top = 15): HotFunction[] {
  const byFile = new Map<string, number>();
  let total = 0;
  for (const h of summariseProfile(file, Infinity)) {
    const where = h.location.replace(/:\d+$/, '');
    byFile.set(where, (byFile.get(where) ?? 0) + h.self_ms);
    total += h.self_ms;
  }
  return [...byFile.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([location, ms]) => ({ function: '', location, self_ms: ms, share: total > 0 ? ms / total : 0 }));
}

export function profileFiles(target: string): string[] {
  if (!fs.existsSync(target)) return [];
  if (fs.statSync(target).isDirectory()) {
    return fs
      .readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(target, f));
  }
  return [target];
}

export function formatHot(list: HotFunction[]): string {
  return list.map((h) => `  ${h.self_ms.toFixed(0).padStart(7)} ms ${(100 * h.share).toFixed(1).padStart(5)} %  ${h.function}  ${h.location}`).join('\n');
}

if (require.main === module) {
  for (const arg of process.argv.slice(2)) {
    const files = profileFiles(arg);
    if (!files.length) continue;
    process.stdout.write(`${arg} (${files.length} profile(s): one per thread)\n${formatHot(summariseProfile(files, 25))}\nby file:\n${formatHot(summariseByFile(files))}\n`);
  }
}
