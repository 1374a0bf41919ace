/** What every bench scenario shares: options, sizes, the context it runs in and the result it returns. */
import type { Comparison } from './compare';
import type { HotFunction } from './profile';

export interface Options {
  quick: boolean;
  only: string[] | null;
  profile: boolean;
  baseline: boolean;
  /** run NannyML / Evidently themselves where a scenario names them (--no-peers: skip) */
  peers: boolean;
}

export interface Sizes {
  analysisRows: number;
  referenceRows: number;
  features: number;
  chunkSize: number;
  /** server scenarios */
  ingestBatch: number;
  queryClients: number;
  queryRequests: number;
}

export interface Context {
  options: Options;
  sizes: Sizes;
  /** configs, outputs, profiles of this run */
  workDir: string;
  registered: ReadonlySet<string>;
  log(line: string): void;
}

export interface TargetCheck {
  name: string;
  /** e.g. '< 10 s' */
  target: string;
  value: number | null;
  ok: boolean | null;
}

export interface ScenarioResult {
  id: string;
  title: string;
  issue: string;
  status: 'ok' | 'failed' | 'skipped';
  metrics: Record<string, number | null>;
  targets: TargetCheck[];
  notes: string[];
  comparison?: Comparison;
  /** ISO time the scenario finished */
  measured_at?: string;
  hot_functions?: HotFunction[];
}

export interface Scenario {
  id: string;
  title: string;
  issue: string;
  run(ctx: Context): Promise<ScenarioResult>;
}

export const MIB = 1024 * 1024;

export function check(name: string, target: string, value: number | null, ok: (v: number) => boolean): TargetCheck {
  return { name, target, value, ok: value === null ? null : ok(value) };
}

