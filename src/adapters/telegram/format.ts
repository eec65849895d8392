/** Telegram's limit on one message, counted after entity parsing (UTF-16 code units). */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

const FENCE = /^```/;

interface Segment {
  code: boolean;
  lines: string[];
}

/** Splits a reply into prose and ``` code blocks; an unclosed block runs to the end. */
function segmentsOf(text: string): Segment[] {
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
export function splitReplyText(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
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

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One message as Telegram HTML: prose escaped, ``` blocks as <pre>. HTML rather than MarkdownV2
 * because only three characters need escaping and a stray one cannot break the whole message.
 * The visible text is never longer than the source, so a split source stays within the limit.
 */
export function renderTelegramHtml(text: string): string {
  return segmentsOf(text)
    .map((s) => (s.code ? `<pre>${escapeHtml(s.lines.join('\n'))}</pre>` : escapeHtml(s.lines.join('\n'))))
    .join('\n');
}

/** A reply as the HTML messages Telegram receives, in order. */
export function telegramMessagesOf(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitReplyText(text, limit).map(renderTelegramHtml);
}
