/**
 * The ingest worker thread (ingest-pipeline.ts starts two): one parses rows bodies, the other writes
 * ingested batches on a store connection of its own. Neither job then runs on the main thread, which
 * answers queries: a CSV or JSON parse of a large batch, or an ingest commit (SQLite inserts, the fsync
 * of synchronous=full, waits for the write lock the compute worker holds), no longer delays them.
 *
 * Messages are answered in the order received, so batches keep their order.
 */
import { workerData } from 'worker_threads';
import { openStore } from '../store';
import { Store } from '../store/types';
import { serializeError } from '../threads/errors';
import { nameThisThread, setThisThreadLevel } from '../threads/priority';
import { serveRequests } from '../threads/thread';
import { parseRowsParts } from './body';
import { IngestWorkerData, ToIngestWorker, writeBatches } from './ingest-pipeline';

const opts = workerData as IngestWorkerData;
// At the server's level: it inherited the main thread's, which `vigil serve` raises (threads/priority.ts).
void nameThisThread('vigil-ingest')
  .then(() => setThisThreadLevel(0))
  .catch(() => undefined); // its level is a preference: ingest runs wherever it is
const store: Store | null = opts.role === 'write' ? openStore(opts.dbPath!, { synchronous: opts.synchronous }) : null;

async function handle(m: ToIngestWorker): Promise<unknown> {
  switch (m.type) {
    case 'parse':
      return parseRowsParts(m.body, m.format);
    case 'write':
      return (await writeBatches(store!, m.modelId, m.batches, m.chunker)).map((r) => (r instanceof Error ? serializeError(r) : r));
    case 'close':
      await store?.close();
      return null;
  }
}

// Every ingest message has an id, so none goes unanswered.
serveRequests(handle, () => undefined);
