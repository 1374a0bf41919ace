/**
 * Server scenarios (c) ingest throughput and incremental latency, (d) query latency under 50 concurrent
 * clients. Real server on loopback, started and stopped by the scenario.
 */
import type { Scenario } from './run';

export const SERVER_SCENARIOS: Scenario[] = [];
