/**
 * `late-targets` (issue 13 item 2): targets for one row in ten (100k ids over every chunk of the 1M-row
 * model) arrive late. Measured: the time from sending them until every chunk's results are recomputed —
 * only the calculators that read targets run — against a full recompute of every chunk (the same
 * reference uploaded again: every calculator on every chunk, what late targets used to cost).
 */
import * as fs from 'fs';
import { check, Scenario } from './scenario';
import { attachProfile, baseResult, expectOk, finish, loadModel, MODEL, rssOf, serverAvailable, serverDataset, ServerSession } from './server';
import { Client } from './http';

const POLL_MS = 20;
const TIMEOUT_MS = 10 * 60_000;

/** Waits until no chunk of the model awaits a recompute; returns when (performance.now()). */
async function caughtUp(client: Client): Promise<number> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const model = await client.json<{ status?: { pending_chunks?: number } }>('GET', `/api/models/${MODEL}`);
    if ((model.status?.pending_chunks ?? 0) === 0) return performance.now();
    if (performance.now() > deadline) throw new Error(`recompute not done after ${TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Every `step`-th line of the targets file (id,y_true), the label flipped so that every one changes a row. */
function lateTargets(file: string, step: number): { body: string; count: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out = [lines[0]];
  for (let i = 1; i < lines.length; i += step) {
    if (!lines[i]) continue;
    const comma = lines[i].indexOf(',');
    out.push(`${lines[i].slice(0, comma)},${lines[i].slice(comma + 1) === '1' ? 0 : 1}`);
  }
  return { body: out.join('\n') + '\n', count: out.length - 1 };
}

export const lateTargetsScenario: Scenario = {
  id: 'late-targets',
  title: 'late targets for one row in ten (100k ids over every chunk of the 1M-row model): recompute time, targets-reading calculators only vs every calculator',
  issue: '#13',
  async run(ctx) {
    const result = baseResult(this.id, this.title);
    result.issue = '#13';
    if (!(await serverAvailable(result))) return result;
    const data = serverDataset(ctx);
    const session = await ServerSession.start(ctx, 'late-targets', 4);
    let failure: unknown = undefined;
    try {
      const loaded = await loadModel(ctx, session, data, data.rows, ctx.sizes.ingestBatch);
      const { client } = session;
      const targets = lateTargets(data.ds.targets, 10);
      ctx.log(`late-targets: ${loaded.ingest_rows.toLocaleString('en-US')} rows stored; sending ${targets.count.toLocaleString('en-US')} late targets ...`);
      const t0 = performance.now();
      await expectOk(client.request('POST', `/api/models/${MODEL}/targets`, targets.body, 'text/csv'), 'POST targets');
      const acked = performance.now();
      const done = await caughtUp(client);
      result.metrics.targets = targets.count;
      result.metrics.targets_post_s = (acked - t0) / 1000;
      result.metrics.targets_recompute_s = (done - acked) / 1000;
      ctx.log(`late-targets: attached in ${result.metrics.targets_post_s.toFixed(2)} s, recomputed in ${result.metrics.targets_recompute_s.toFixed(2)} s`);
      // Every calculator on every chunk: the same reference again (fitted, then every chunk recomputed).
      const r0 = performance.now();
      await expectOk(client.request('PUT', `/api/models/${MODEL}/reference`, fs.readFileSync(data.ds.reference), 'text/csv'), 'PUT reference');
      const fitted = performance.now();
      result.metrics.full_recompute_s = ((await caughtUp(client)) - fitted) / 1000;
      result.metrics.reference_fit_s = (fitted - r0) / 1000;
      ctx.log(`late-targets: a full recompute of every chunk took ${result.metrics.full_recompute_s.toFixed(2)} s`);
    } catch (e) {
      failure = e;
    }
    const stopped = await finish(session, failure);
    attachProfile(ctx, 'late-targets', result);
    result.metrics.server_peak_rss_mib = rssOf(stopped);
    result.metrics.peak_rss_mib = rssOf(stopped);
    const full = result.metrics.full_recompute_s ?? null;
    result.targets = [check('late targets recompute', '< a full recompute', result.metrics.targets_recompute_s ?? null, (v) => full !== null && v < full)];
    result.notes.push(`a full recompute of every chunk (every calculator): ${full === null ? '–' : `${full.toFixed(2)} s`}`);
    return result;
  },
};
