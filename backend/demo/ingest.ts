/**
 * How the demo loaders send their rows: in batches, as an inference service would, and like a well-behaved
 * client when the server pushes back (429 with Retry-After: the compute threads' backlog is over
 * VIGIL_MAX_BACKLOG / VIGIL_MAX_LAG). Nothing of a refused batch is stored, so it is sent again once the
 * waiting chunks are computed; the demo then loads at the speed the compute threads keep up with.
 */
import { ApiError } from '../service/errors';
import { VigilService } from '../service/service';

/** Rows per ingest request. */
export const DEMO_BATCH_ROWS = 5000;
const RETRY_PAUSE_MS = 50;

export async function ingestDemoRows(service: VigilService, model: string, rows: readonly object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += DEMO_BATCH_ROWS) await ingestPatiently(service, model, JSON.stringify(rows.slice(i, i + DEMO_BATCH_ROWS)), 'application/json');
}

/** One rows body, sent again after the compute threads go idle for as long as the server answers 429. */
export async function ingestPatiently(service: VigilService, model: string, body: string, contentType: string): Promise<void> {
  for (;;) {
    try {
      await service.ingestRows(model, body, contentType);
      return;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 429) throw e;
      await service.idle();
      // should the lag estimate still be over its bound with nothing left to compute: no busy loop
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
}
