/**
 * A lean HTTP client for the server scenarios: keep-alive sockets, bodies read whole, latency per request.
 * (node:http rather than fetch: fetch costs the client several times more CPU per request, and the
 * client shares the machine's two cores with the server it measures.)
 */
import * as http from 'http';
import * as net from 'net';

export interface HttpResponse {
  status: number;
  body: Buffer;
  ms: number;
}

export class Client {
  readonly agent: http.Agent;

  constructor(
    readonly port: number,
    sockets: number,
    private readonly headers: Record<string, string> = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  request(method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const headers: Record<string, string | number> = { ...this.headers };
      if (body !== undefined) {
        headers['content-type'] = contentType;
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
    return JSON.parse(res.body.toString()) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A free loopback port (the OS picks one; released just before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface LatencySummary {
  requests: number;
  errors: number;
  seconds: number;
  requests_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** status and start of the body of the first failed request */
  first_error: string | null;
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * `clients` concurrent loops, each sending the next request as soon as its previous answer is read (a
 * closed loop without think time, like autocannon -c N), until `total` requests are done.
 * `paceMs` > 0 makes each client wait that long between requests instead (a dashboard-like load).
 */
export async function latencyLoop(
  client: Client,
  clients: number,
  total: number,
  next: (i: number) => { method: string; path: string; body?: string },
  paceMs = 0,
): Promise<LatencySummary> {
  const latencies = new Float64Array(total);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const loop = async () => {
    while (issued < total) {
      const i = issued++;
      const r = next(i);
      try {
        const res = await client.request(r.method, r.path, r.body);
        if (res.status !== 200) {
          errors++;
          firstError ??= `HTTP ${res.status} ${r.method} ${r.path.slice(0, 120)}: ${res.body.toString().slice(0, 200)}`;
        }
        latencies[done++] = res.ms;
      } catch (e) {
        errors++;
        firstError ??= `${r.method} ${r.path.slice(0, 120)}: ${e instanceof Error ? e.message : e}`;
        latencies[done++] = NaN;
      }
      if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const seconds = (performance.now() - started) / 1000;
  const ok = latencies.filter((v) => !Number.isNaN(v)).sort();
  return {
    requests: total,
    errors,
    seconds,
    requests_per_s: total / seconds,
    p50_ms: percentile(ok, 0.5),
    p90_ms: percentile(ok, 0.9),
    p99_ms: percentile(ok, 0.99),
    max_ms: ok.length ? ok[ok.length - 1] : NaN,
    first_error: firstError,
  };
}
