/** query / query_range answers are cached per results version: the source is read again only after a change. */
import express from 'express';
import * as http from 'http';
import { AddressInfo } from 'net';
import { prometheusRouter } from './router';
import { MemorySeriesSource, Series } from './source';

function series(value: number): Series {
  return { labels: { __name__: 'vigil_x', model: 'm' }, timestamps: Float64Array.from([0, 60_000]), values: Float64Array.from([value, value]) };
}

describe('prometheus answer cache', () => {
  let server: http.Server;
  let base: string;
  let version = 1;
  let value = 1;
  let reads = 0;

  beforeAll(async () => {
    const app = express();
    const source = () => {
      reads++;
      return new MemorySeriesSource([series(value)]);
    };
    app.use('/p', prometheusRouter({ source, lookback: { kind: 'window', ms: 300_000 }, resultsVersion: async () => String(version) }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/p/api/v1`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: await res.text() };
  };

  it('serves a repeated query_range from the cache and recomputes after the version changes', async () => {
    const path = '/query_range?query=vigil_x&start=0&end=60&step=30';
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body).data.result[0].values[0]).toEqual([0, '1']);
    const readsAfterFirst = reads;
    value = 2;
    expect((await get(path)).body).toBe(first.body);
    expect(reads).toBe(readsAfterFirst);
    version++;
    const third = await get(path);
    expect(JSON.parse(third.body).data.result[0].values[0]).toEqual([0, '2']);
    expect(reads).toBe(readsAfterFirst + 1);
  });

  it('keys instant queries by time, and never caches errors or clock-relative queries', async () => {
    value = 3;
    version++;
    const a = JSON.parse((await get('/query?query=vigil_x&time=30')).body);
    expect(a.data.result[0].value).toEqual([30, '3']);
    const before = reads;
    await get('/query?query=vigil_x&time=30');
    expect(reads).toBe(before);
    await get('/query?query=vigil_x&time=31');
    expect(reads).toBe(before + 1);
    await get('/query?query=vigil_x');
    await get('/query?query=vigil_x');
    expect(reads).toBe(before + 3);
    const bad = await get('/query_range?query=vigil_x{&start=0&end=60&step=30');
    expect(bad.status).toBe(400);
    expect((await get('/query_range?query=vigil_x{&start=0&end=60&step=30')).status).toBe(400);
  });
});
