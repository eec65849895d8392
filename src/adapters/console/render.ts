/**
 * Replies as a terminal shows them. Chat replies wrap tables in ``` fences so Telegram and
 * Discord keep the columns; a terminal is monospace already, so the fences go and the table's
 * lines stay as they are.
 */
export function consoleText(reply: string): string {
  return reply
    .split('\n')
    .filter((line) => !line.startsWith('```'))
    .join('\n');
}

export const PROMPT = '> ';

/**
 * One exchange of the transcript: the line after a prompt when it came from a pipe (a terminal
 * has echoed it already), the reply, and a blank line that ends it, so replies never run together.
 */
export function transcriptEntry(line: string, reply: string | null | undefined, echo: boolean): string {
  const parts: string[] = [];
  if (echo) parts.push(`${PROMPT}${line}`);
  if (reply) parts.push(consoleText(reply));
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}
