/**
 * Replies as chat messages: prose and ``` code blocks, split to a platform's length limit on
 * line boundaries without ever leaving a code block unbalanced. Shared by every chat adapter.
 */
const FENCE = /^```/;

export interface Segment {
  code: boolean;
  lines: string[];
}

/** Splits a reply into prose and ``` code blocks; an unclosed block runs to the end. */
export function segmentsOf(text: string): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | undefined;
  let inCode = false;
  for (const line of text.split('\n')) {
    if (FENCE.test(line.trim())) {
      inCode = !inCode;
      current = inCode ? { code: true, lines: [] } : undefined;
      if (current) segments.push(current);
      continue;
    }
    if (!current || current.code !== inCode) {
      current = { code: inCode, lines: [] };
      segments.push(current);
    }
    current.lines.push(line);
  }
  return segments;
}

function sourceOf(segment: Segment): string {
  return segment.code ? ['```', ...segment.lines, '```'].join('\n') : segment.lines.join('\n');
}

/** Cuts a line longer than `width` into pieces; only needed for a single enormous line. */
function cutLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const pieces: string[] = [];
  for (let i = 0; i < line.length; i += width) pieces.push(line.slice(i, i + width));
  return pieces;
}

/** Breaks one segment that is too long for a message into pieces that each fit, fences repeated. */
function piecesOf(segment: Segment, limit: number): Segment[] {
  const overhead = segment.code ? '```\n\n```'.length : 0;
  const width = limit - overhead;
  const pieces: Segment[] = [];
  let lines: string[] = [];
  let size = 0;
  for (const line of segment.lines.flatMap((l) => cutLine(l, width))) {
    const added = lines.length === 0 ? line.length : line.length + 1;
    if (lines.length > 0 && size + added > width) {
      pieces.push({ code: segment.code, lines });
      lines = [];
      size = 0;
    }
    size += lines.length === 0 ? line.length : line.length + 1;
    lines.push(line);
  }
  if (lines.length > 0) pieces.push({ code: segment.code, lines });
  return pieces;
}

/**
 * Splits a reply into messages of at most `limit` characters, on line boundaries. A code block is
 * kept whole in one message when it fits; a longer one is closed and reopened in the next, so
 * every message has balanced fences and the table keeps its alignment.
 */
export function splitReplyText(text: string, limit: number): string[] {
  const messages: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim() !== '') messages.push(current);
    current = '';
  };
  for (const segment of segmentsOf(text)) {
    const source = sourceOf(segment);
    const joined = current === '' ? source : `${current}\n${source}`;
    if (joined.length <= limit) {
      current = joined;
      continue;
    }
    flush();
    if (source.length <= limit) {
      current = source;
      continue;
    }
    for (const piece of piecesOf(segment, limit)) {
      flush();
      current = sourceOf(piece);
    }
  }
  flush();
  return messages.length > 0 ? messages : [text.slice(0, limit) || ' '];
}
