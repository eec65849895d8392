import type { CommandDispatcher } from '../../commands/dispatcher.ts';
import type { Reply } from '../../commands/types.ts';
import { translator } from '../../i18n/index.ts';
import type { CallerRef, IdentityService } from '../../services/identity.ts';

/**
 * One console conversation over the command layer. A command that needs confirmation prints
 * what it will do and waits: the next line `yes` confirms it, anything else cancels it.
 */
export class ConsoleSession {
  private pendingConfirmation: string | undefined;

  constructor(
    private readonly dispatcher: CommandDispatcher,
    private readonly identity: IdentityService,
    private readonly caller: CallerRef,
  ) {}

  async input(line: string): Promise<string | undefined> {
    const text = line.trim();
    if (this.pendingConfirmation) {
      const id = this.pendingConfirmation;
      this.pendingConfirmation = undefined;
      const accepted = text.toLowerCase() === 'yes';
      return this.render(await this.dispatcher.handleAction(this.caller, `cf:${accepted ? 'y' : 'n'}:${id}`));
    }
    if (text === '' || text.startsWith('#')) return undefined;
    const reply = await this.dispatcher.handleLine(this.caller, text, { slashOptional: true });
    if (!reply) {
      const t = translator((await this.identity.resolve(this.caller)).language);
      return t('errors.unknown_command', { command: text.split(/\s/)[0] ?? text });
    }
    if (reply.confirmation) {
      this.pendingConfirmation = reply.confirmation.id;
      const t = translator((await this.identity.resolve(this.caller)).language);
      return `${reply.text}\n${t('confirm.console_hint')}`;
    }
    return this.render(reply);
  }

  get awaitingConfirmation(): boolean {
    return this.pendingConfirmation !== undefined;
  }

  private render(reply: Reply | undefined): string | undefined {
    return reply?.text;
  }
}
