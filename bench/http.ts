/**
 * HTTP clients of the server scenarios:
 * - `Client`: node:http keep-alive requests with bodies read whole, for setting up and polling (model,
 *   reference, ingest batches, results);
 * - `loadRun`: the load generator of the latency runs, over raw `net` sockets (see below), which
 *   `bench/load.ts` runs in a process of its own.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';

export interface HttpResponse {
  status: number;
  body: Buffer;
  ms: number;
  /** response headers (Client only; e.g. a 429's retry-after) */
  headers?: http.IncomingHttpHeaders;
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
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), ms: performance.now() - started, headers: res.headers }));
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
  /** CPU time of the load generator per request (its whole process, user + system) */
  client_cpu_ms_per_request?: number;
  /** CPU time of the server per request, from /proc/PID/stat around the run (Linux), else absent */
  server_cpu_ms_per_request?: number;
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

// ---------------------------------------------------------------------------------------------------
// The load generator: keep-alive HTTP/1.1 over raw `net` sockets.
//
// node:http's Agent costs the client far more CPU per request than the cached answers it measures cost
// the server (request and response objects, header objects, stream machinery), and the client shares
// the two cores with the server. This client writes each request as one prebuilt buffer and parses only
// what it needs of the answer: the status line, Content-Length and the body's length (it keeps no body,
// only the first 200 bytes of a failed one). Latency is from just before the request is written to the
// moment the last byte of the answer's body has been read.

/** One request of a load mix. */
export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** The request's bytes, as written on the wire every time. */
export function encodeRequest(r: LoadRequest, port: number): Buffer {
  let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
  const body = r.body === undefined ? null : Buffer.from(r.body, 'utf8');
  if (body) head += `Content-Type: ${r.contentType ?? 'application/json'}\r\nContent-Length: ${body.length}\r\n`;
  const h = Buffer.from(`${head}\r\n`, 'latin1');
  return body ? Buffer.concat([h, body]) : h;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n|$)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
/** A connection's read buffer: the larger answers of the mix (~700 KB) arrive in a few reads. */
const READ_BUFFER_BYTES = 256 * 1024;
/** How much of a failed answer's body is kept for the report. */
const ERROR_BODY_BYTES = 200;

/** A finished exchange: status (0 when the connection failed), latency, body length, start of an error body. */
type OnAnswer = (status: number, ms: number, bodyBytes: number, errorText: string | null) => void;

/** One keep-alive connection with at most one request in flight. */
class Connection {
  private socket: net.Socket | null = null;
  private pending: Buffer | null = null;
  /** body bytes still to read; -1 while reading the head */
  private left = -1;
  private status = 0;
  private length = 0;
  private errorParts: Buffer[] = [];
  private errorKept = 0;
  private t0 = 0;
  private busy = false;
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  constructor(
    private readonly port: number,
    private readonly onAnswer: OnAnswer,
  ) {}

  send(request: Buffer): void {
    if (this.socket === null) this.connect();
    this.busy = true;
    this.t0 = performance.now();
    this.socket!.write(request);
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): void {
    // Reads land in one buffer per connection, reused (nothing allocated per read, fewer read calls for
    // large answers); read() copies whatever it keeps.
    const socket = net.connect({
      port: this.port,
      host: '127.0.0.1',
      noDelay: true,
      onread: {
        buffer: this.readBuffer,
        callback: (n: number, buf: Uint8Array) => {
          this.read((buf as Buffer).subarray(0, n));
          return true;
        },
      },
    });
    const lost = (why: string) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.pending = null;
      this.left = -1;
      if (this.busy) {
        this.busy = false;
        this.onAnswer(0, performance.now() - this.t0, 0, why);
      }
    };
    socket.on('error', (e) => lost(e.message));
    socket.on('close', () => lost('connection closed by the server'));
    this.socket = socket;
  }

  private read(chunk: Buffer): void {
    let buf = chunk;
    let off = 0;
    while (off < buf.length) {
      if (this.left < 0) {
        if (this.pending) {
          buf = Buffer.concat([this.pending, buf.subarray(off)]);
          off = 0;
          this.pending = null;
        }
        const end = buf.indexOf(CRLFCRLF, off);
        if (end < 0) {
          this.pending = Buffer.from(buf.subarray(off));
          return;
        }
        const head = buf.toString('latin1', off, end);
        const m = CONTENT_LENGTH.exec(head);
        if (!m || CHUNKED.test(head)) {
          this.fail(`answer without Content-Length: ${head.slice(0, 120)}`);
          return;
        }
        this.status = Number(head.slice(9, 12));
        this.length = Number(m[1]);
        this.left = this.length;
        this.errorParts = [];
        this.errorKept = 0;
        off = end + 4;
        if (this.left === 0) this.done();
        continue;
      }
      const take = Math.min(this.left, buf.length - off);
      if (this.status !== 200 && this.errorKept < ERROR_BODY_BYTES) {
        const part = buf.subarray(off, off + Math.min(take, ERROR_BODY_BYTES - this.errorKept));
        this.errorParts.push(Buffer.from(part));
        this.errorKept += part.length;
      }
      this.left -= take;
      off += take;
      if (this.left === 0) this.done();
    }
  }

  private done(): void {
    const ms = performance.now() - this.t0;
    this.left = -1;
    this.busy = false;
    this.onAnswer(this.status, ms, this.length, this.status === 200 ? null : Buffer.concat(this.errorParts).toString());
  }

  private fail(why: string): void {
    const socket = this.socket;
    this.socket = null;
    this.pending = null;
    this.left = -1;
    socket?.destroy();
    if (this.busy) {
      this.busy = false;
      this.onAnswer(0, performance.now() - this.t0, 0, why);
    }
  }
}

/** CPU seconds (user + system) of another process from /proc/PID/stat, or null where unreadable. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}
/** USER_HZ of Linux's /proc times: 100 on every common architecture (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS_PER_S = 100;

export interface LoadRunOptions {
  port: number;
  /** concurrent connections (clients) */
  clients: number;
  /** requests in all; request i is `requests[i % requests.length]` */
  total: number;
  requests: LoadRequest[];
  /** > 0: each client waits this long after an answer before its next request (a dashboard-like load) */
  paceMs?: number;
  /** the server's pid, to report its CPU time per request */
  serverPid?: number;
  /** > 0: stop sending new requests after this long (then `total` is only an upper bound) */
  durationMs?: number;
  /** the results change during the run (ingest beside it): answers of another length are no error */
  answersChange?: boolean;
}

/**
 * `clients` connections, each sending its next request as soon as its previous answer is read (a closed
 * loop without think time, like autocannon -c N), until `total` requests are answered; with `paceMs`,
 * each waits that long first. Every request's latency is a sample; percentiles are over all of them.
 * An answer whose body length differs from the first answer to the same request counts as an error
 * (the results do not change during a run, so neither may the answers).
 */
export function loadRun(o: LoadRunOptions): Promise<LatencySummary> {
  const wire = o.requests.map((r) => encodeRequest(r, o.port));
  const expectedLength = new Float64Array(wire.length).fill(-1);
  const latencies = new Float64Array(o.total);
  const paceMs = o.paceMs ?? 0;
  let issued = 0;
  let answered = 0;
  let errors = 0;
  let firstError: string | null = null;
  const cpu0 = process.cpuUsage();
  const server0 = o.serverPid ? processCpuSeconds(o.serverPid) : null;
  let started = 0;
  return new Promise((resolve) => {
    const conns: Connection[] = [];
    const finish = () => {
      const seconds = (performance.now() - started) / 1000;
      for (const c of conns) c.close();
      const cpu = process.cpuUsage(cpu0);
      const server1 = o.serverPid ? processCpuSeconds(o.serverPid) : null;
      const ok = latencies.subarray(0, answered).filter((v) => !Number.isNaN(v)).sort();
      const summary: LatencySummary = {
        requests: answered,
        errors,
        seconds,
        requests_per_s: answered / seconds,
        p50_ms: percentile(ok, 0.5),
        p90_ms: percentile(ok, 0.9),
        p99_ms: percentile(ok, 0.99),
        max_ms: ok.length ? ok[ok.length - 1] : NaN,
        first_error: firstError,
        client_cpu_ms_per_request: (cpu.user + cpu.system) / 1000 / answered,
      };
      if (server0 !== null && server1 !== null) summary.server_cpu_ms_per_request = ((server1 - server0) * 1000) / answered;
      resolve(summary);
    };
    let stopAt = Infinity;
    let finished = false;
    const start = (c: Connection) => {
      if (issued >= o.total || performance.now() >= stopAt) {
        // A timed run ends once the last request in flight is answered.
        if (answered === issued && !finished) {
          finished = true;
          finish();
        }
        return;
      }
      const i = issued++;
      inFlight.set(c, i);
      c.send(wire[i % wire.length]);
    };
    const inFlight = new Map<Connection, number>();
    const next = (c: Connection) => {
      if (paceMs > 0) setTimeout(() => start(c), paceMs);
      else start(c);
    };
    const make = () => {
      const c: Connection = new Connection(o.port, (status, ms, bodyBytes, errorText) => {
        const i = inFlight.get(c)!;
        const r = i % wire.length;
        let failure: string | null = null;
        if (status !== 200) failure = status === 0 ? errorText : `HTTP ${status}: ${errorText}`;
        else if (expectedLength[r] < 0) expectedLength[r] = bodyBytes;
        else if (expectedLength[r] !== bodyBytes && !o.answersChange) failure = `answer of ${bodyBytes} bytes where the first was ${expectedLength[r]}`;
        if (failure !== null) {
          errors++;
          const q = o.requests[r];
          firstError ??= `${q.method} ${q.path.slice(0, 120)}: ${failure.slice(0, 300)}`;
          latencies[answered++] = status === 0 ? NaN : ms;
        } else latencies[answered++] = ms;
        if (answered === o.total) {
          finished = true;
          finish();
        } else next(c);
      });
      return c;
    };
    for (let k = 0; k < o.clients; k++) conns.push(make());
    started = performance.now();
    if (o.durationMs && o.durationMs > 0) stopAt = started + o.durationMs;
    for (const c of conns) start(c);
  });
}
