export interface Prompt {
  chatId: number;
  messageId: number;
  /** Telegram user id of the one who sent the command. */
  askerId: number;
  expiresAt: Date;
}

/** Kept a while past expiry so a late press by the asker still replaces the buttons. */
const GRACE_MS = 10 * 60_000;

/**
 * Messages showing Confirm / Cancel, and who asked. Only where the outcome shows is decided here:
 * whether a press is allowed is the core's confirmation store's call.
 */
export class PromptRegistry {
  private readonly prompts = new Map<string, Prompt>();

  add(prompt: Prompt): void {
    const now = Date.now();
    for (const [key, p] of this.prompts) if (p.expiresAt.getTime() + GRACE_MS < now) this.prompts.delete(key);
    this.prompts.set(`${prompt.chatId}:${prompt.messageId}`, prompt);
  }

  /** The prompt on this message when `userId` is its asker, removed so a second press finds none. */
  take(chatId: number, messageId: number, userId: number): Prompt | undefined {
    const key = `${chatId}:${messageId}`;
    const prompt = this.prompts.get(key);
    if (prompt?.askerId !== userId) return undefined;
    this.prompts.delete(key);
    return prompt;
  }
}
