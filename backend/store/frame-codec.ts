/**
 * A frame as one binary blob (the stored reference): a JSON header with the column descriptions, then
 * each column's typed array, 8-byte aligned, so decoding is a copy per column with no parsing.
 *
 *   [u32 header length][header JSON][pad to 8][column 0 bytes][pad][column 1 bytes]...
 */
import { Column, Frame, makeFrame } from '../engine/frame';

const FORMAT_VERSION = 1;

interface ColumnHeader {
  name: string;
  kind: 'numeric' | 'categorical';
  dtype: string;
  levels?: string[];
  offset: number;
  bytes: number;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeFrame(frame: Frame): Buffer {
  const headers: ColumnHeader[] = [];
  let offset = 0;
  for (const name of frame.names) {
    const c = frame.columns.get(name)!;
    const bytes = c.kind === 'numeric' ? c.values.byteLength : c.codes.byteLength;
    headers.push({ name, kind: c.kind, dtype: c.dtype, levels: c.kind === 'categorical' ? c.levels : undefined, offset, bytes });
    offset = align8(offset + bytes);
  }
  const header = Buffer.from(JSON.stringify({ v: FORMAT_VERSION, length: frame.length, columns: headers }), 'utf8');
  const dataStart = align8(4 + header.length);
  const out = Buffer.alloc(dataStart + offset);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  for (const h of headers) {
    const c = frame.columns.get(h.name)!;
    const arr = c.kind === 'numeric' ? c.values : c.codes;
    Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).copy(out, dataStart + h.offset);
  }
  return out;
}

export function decodeFrame(buf: Buffer): Frame {
  const headerLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as { v: number; length: number; columns: ColumnHeader[] };
  if (header.v !== FORMAT_VERSION) throw new Error(`stored frame has format ${header.v}, expected ${FORMAT_VERSION}`);
  const dataStart = align8(4 + headerLength);
  const columns: Column[] = header.columns.map((h) => {
    // Copy into a fresh, aligned ArrayBuffer (the blob's own buffer is not 8-byte aligned).
    const bytes = new Uint8Array(h.bytes);
    bytes.set(buf.subarray(dataStart + h.offset, dataStart + h.offset + h.bytes));
    if (h.kind === 'numeric') {
      return { kind: 'numeric', name: h.name, dtype: h.dtype as 'int' | 'float', values: new Float64Array(bytes.buffer) };
    }
    return {
      kind: 'categorical',
      name: h.name,
      dtype: h.dtype as 'string' | 'bool' | 'number',
      codes: new Int32Array(bytes.buffer),
      levels: h.levels ?? [],
    };
  });
  return makeFrame(columns, header.length);
}
