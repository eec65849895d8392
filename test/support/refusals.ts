import { expect } from 'vitest';
import type { CallerRef } from '../../src/services/identity.ts';
import type { PaperDesk } from './paper-desk.ts';

/** A console line that must be answered at once: no confirmation is asked. */
export async function refusedOnConsole(d: PaperDesk, line: string): Promise<string> {
  const text = await d.say(line);
  expect(d.console.awaitingConfirmation, `${line} asked to confirm: ${text}`).toBe(false);
  return text;
}

/** The same from another caller (a linked owner in another language); nothing waits for a Confirm either. */
export async function refusedFor(d: PaperDesk, caller: CallerRef, line: string): Promise<string> {
  const reply = await d.app.dispatcher.handleLine(caller, line);
  expect(reply?.confirmation, `${line} asked to confirm: ${reply?.text}`).toBeUndefined();
  return reply?.text ?? '';
}
