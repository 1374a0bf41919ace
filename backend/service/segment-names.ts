/**
 * The names of segments' own models (segment-models.ts): `<model>~<segment, URI-encoded>`. No imports: the
 * Prometheus series code in the query thread reads them.
 */
const SEPARATOR = '~';

export function segmentModelName(model: string, segment: string): string {
  return `${model}${SEPARATOR}${encodeURIComponent(segment)}`;
}

/** The segmented model and the segment of a segment's model name; null for any other model. */
export function segmentOfModelName(name: string): { model: string; segment: string } | null {
  const at = name.indexOf(SEPARATOR);
  if (at < 0) return null;
  try {
    return { model: name.slice(0, at), segment: decodeURIComponent(name.slice(at + 1)) };
  } catch {
    return null;
  }
}

