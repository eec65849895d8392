import { describe, expect, it } from 'vitest';
import { consoleText, transcriptEntry } from '../../src/adapters/console/render.ts';

describe('console transcript', () => {
  const table = 'Followers:\n```\nfollower  state\nf1        ACTIVE\n```\n2 followers.';

  it('shows a table without the chat fences, its columns as they are', () => {
    expect(consoleText(table)).toBe('Followers:\nfollower  state\nf1        ACTIVE\n2 followers.');
  });

  it('echoes a piped line after the prompt and ends the reply with a blank line', () => {
    expect(`${transcriptEntry('/followers', table, true)}\n`).toBe(
      '> /followers\nFollowers:\nfollower  state\nf1        ACTIVE\n2 followers.\n\n',
    );
    expect(transcriptEntry('/whoami', 'Your id: local', false)).toBe('Your id: local\n');
    expect(transcriptEntry('# a comment', undefined, true)).toBe('> # a comment\n');
    expect(transcriptEntry('', undefined, false)).toBe('');
  });
});
