/** One text replacement: `length` characters at `start` in the original become `text`. */
export interface Splice {
  start: number;
  length: number;
  text: string;
}

/**
 * Applies non-overlapping splices to a text and returns the result with a function that maps
 * an offset in the result back to the offset in the original text. Offsets inside replaced
 * text map to the start of the replaced range.
 */
export function applySplices(original: string, splices: Splice[]): { text: string; toOriginal(offset: number): number } {
  const sorted = [...splices].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  const anchors: { resultStart: number; originalStart: number; resultEnd: number; originalEnd: number }[] = [];
  let cursor = 0;
  let resultLength = 0;
  for (const splice of sorted) {
    if (splice.start < cursor) throw new Error(`overlapping splice at offset ${splice.start}`);
    const kept = original.slice(cursor, splice.start);
    parts.push(kept, splice.text);
    resultLength += kept.length;
    anchors.push({
      resultStart: resultLength,
      originalStart: splice.start,
      resultEnd: resultLength + splice.text.length,
      originalEnd: splice.start + splice.length,
    });
    resultLength += splice.text.length;
    cursor = splice.start + splice.length;
  }
  parts.push(original.slice(cursor));

  const toOriginal = (offset: number): number => {
    let delta = 0;
    for (const anchor of anchors) {
      if (offset < anchor.resultStart) break;
      if (offset < anchor.resultEnd) return anchor.originalStart;
      delta = anchor.originalEnd - anchor.resultEnd;
    }
    return offset + delta;
  };
  return { text: parts.join(""), toOriginal };
}
