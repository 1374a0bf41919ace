/**
 * Reading a request body whole, decoding its Content-Encoding on the way (agents and collectors send
 * gzip or deflate): identity, gzip (x-gzip), deflate (zlib-wrapped, or raw as some clients send it) and
 * br, decoded as a stream by node:zlib (on libuv's thread pool, not this thread).
 *
 * The size limit bounds the decoded bytes, counted as they come out of the decoder: a small compressed
 * body that inflates past the limit (a zip bomb) is cut off at the limit and answered 413, holding at
 * most `limit` bytes. Every failure is a typed 4xx: an unknown coding 415, a corrupt or truncated
 * compressed body 400 naming the coding, a client that goes away 400.
 */
import * as http from 'http';
import { Transform } from 'stream';
import * as zlib from 'zlib';
import { ApiError } from '../service/errors';

/** The codings this server decodes (besides identity). */
export const SUPPORTED_CODINGS = ['gzip', 'deflate', 'br'];

/** The body's codings in the order they were applied (identity left out), lower-cased. */
export function contentCodings(req: http.IncomingMessage): string[] {
  const h = req.headers['content-encoding'];
  if (h === undefined) return [];
  return h
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/** Whether the body is sent with a coding other than identity (the fast paths leave those to Express). */
export function isEncoded(req: http.IncomingMessage): boolean {
  return contentCodings(req).length > 0;
}

export function unsupportedCoding(coding: string): ApiError {
  return new ApiError(
    415,
    'unsupported_content_encoding',
    `unsupported Content-Encoding '${coding}': send the body uncompressed (identity) or compressed with ${SUPPORTED_CODINGS.join(', ')}`,
    'header.content-encoding',
  );
}

function tooLarge(limit: number, codings: string[]): ApiError {
  const decoded = codings.length ? ` once decoded (Content-Encoding: ${codings.join(', ')})` : '';
  return new ApiError(413, 'body_too_large', `the request body exceeds the limit of ${limit} bytes${decoded}; send smaller batches`, 'body');
}

/** A zlib-wrapped deflate stream starts with CMF (method 8, window ≤ 32K) and FLG making a multiple of 31. */
function looksZlibWrapped(first: Buffer): boolean {
  if (first.length < 2) return true;
  return (first[0] & 0x0f) === 8 && first[0] >> 4 <= 7 && ((first[0] << 8) | first[1]) % 31 === 0;
}

/**
 * `deflate` as RFC 9110 defines it (zlib format), or the raw deflate data some clients send under that
 * name: decided on the first two bytes, as browsers do.
 */
function deflateDecoder(): Transform {
  let inner: zlib.Inflate | zlib.InflateRaw | null = null;
  const pending: Buffer[] = [];
  const start = (first: Buffer) => {
    inner = looksZlibWrapped(first) ? zlib.createInflate() : zlib.createInflateRaw();
    inner.on('data', (d: Buffer) => outer.push(d));
    inner.on('error', (e) => outer.destroy(e));
  };
  const outer = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!inner) {
        pending.push(chunk);
        const head = Buffer.concat(pending);
        if (head.length < 2) return cb();
        pending.length = 0;
        start(head);
        chunk = head;
      }
      inner!.write(chunk, () => cb());
    },
    flush(cb) {
      if (!inner) {
        const head = Buffer.concat(pending);
        start(head);
        inner!.write(head);
      }
      inner!.once('end', () => cb());
      inner!.end();
    },
  });
  return outer;
}

function decoderFor(coding: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return deflateDecoder();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw unsupportedCoding(coding);
  }
}

/** Whether an error comes from a zlib decoder (zlib's Z_DATA_ERROR, Z_BUF_ERROR; brotli's ERR__ERROR_FORMAT_...: bad input). */
export function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR'));
}

/** A decoder's error as the client's mistake: the body is not what its Content-Encoding says. */
export function corruptBody(coding: string, e: Error): ApiError {
  const why = e.message === 'unexpected end of file' ? 'the compressed data ends early (truncated body)' : e.message;
  return new ApiError(400, 'malformed_body', `the body is not valid ${coding} data (Content-Encoding: ${coding}): ${why}`, 'body');
}

/**
 * The whole body, decoded. Rejects with an ApiError (413, 415, 400); the rest of a refused body is
 * read and dropped so that the connection can carry the answer and the next request.
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let codings: string[];
    let decoders: Transform[];
    try {
      codings = contentCodings(req);
      // Codings are listed in the order applied: decode the last first.
      decoders = [...codings].reverse().map(decoderFor);
    } catch (e) {
      req.resume();
      return reject(e);
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      req.resume();
      return reject(tooLarge(limit, []));
    }
    let settled = false;
    const parts: Buffer[] = [];
    let size = 0;
    let wire = 0;
    const settle = (e: ApiError | null) => {
      if (settled) return;
      settled = true;
      if (e) {
        for (const d of decoders) {
          d.removeAllListeners('data');
          d.on('error', () => {});
          d.destroy();
        }
        req.unpipe();
        req.resume();
        reject(e);
      } else resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
    };
    req.on('aborted', () => settle(new ApiError(400, 'request_aborted', 'the client closed the request before the body was complete', 'body')));
    req.on('error', () => settle(new ApiError(400, 'request_aborted', 'the client closed the request before the body was complete', 'body')));
    req.on('data', (c: Buffer) => {
      wire += c.length;
      if (wire > limit) settle(tooLarge(limit, []));
    });
    let source: NodeJS.ReadableStream = req;
    decoders.forEach((d, i) => {
      const coding = codings[codings.length - 1 - i];
      d.on('error', (e) => settle(corruptBody(coding, e)));
      source = source.pipe(d);
    });
    const out = source as NodeJS.ReadableStream & { on: typeof req.on };
    if (decoders.length === 0) {
      // identity: the data handler above counts; keep the chunks here
      req.on('data', (c: Buffer) => {
        if (!settled) {
          parts.push(c);
          size += c.length;
        }
      });
      req.on('end', () => settle(null));
      return;
    }
    out.on('data', (c: Buffer) => {
      if (settled) return;
      size += c.length;
      if (size > limit) return settle(tooLarge(limit, codings));
      parts.push(c);
    });
    out.on('end', () => {
      // An empty body needs no decoding (a client that sets the header on every request).
      settle(null);
    });
    req.on('end', () => {
      if (wire === 0) settle(null);
    });
  });
}
