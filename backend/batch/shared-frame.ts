/**
 * Frames that worker threads read without copying: every column's typed array on a SharedArrayBuffer.
 * Posting a SharedFrame to a worker shares the memory (structured clone keeps SharedArrayBuffers shared);
 * only the column descriptions and categorical levels are copied.
 */
import { Column, Frame, makeFrame } from '../engine/frame';

export interface SharedFrame {
  length: number;
  /** In the frame's column order. */
  columns: Column[];
}

export function shareFrame(frame: Frame): SharedFrame {
  const columns = frame.names.map((name): Column => {
    const c = frame.columns.get(name)!;
    return c.kind === 'numeric' ? { ...c, values: onShared(c.values) } : { ...c, codes: onShared(c.codes) };
  });
  return { length: frame.length, columns };
}

export function frameOf(shared: SharedFrame): Frame {
  return makeFrame(shared.columns, shared.length);
}

function onShared<T extends Float64Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}
