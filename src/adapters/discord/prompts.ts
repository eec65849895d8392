export interface Prompt {
  messageId: string;
  /** Discord user id of the one who ran the command. */
  askerId: string;
  expiresAt: Date;
}

/** Kept a while past expiry so a late press by the asker still replaces the buttons. */
const GRACE_MS = 10 * 60_000;

/**
 * Messages showing Confirm / Cancel, and who asked. It decides only where the outcome shows
 * (on the message, or privately to the presser); whether a press is allowed is the core's call.
 */
export class PromptRegistry {
  private readonly prompts = new Map<string, Prompt>();

  add(prompt: Prompt): void {
    const now = Date.now();
    for (const [id, p] of this.prompts) if (p.expiresAt.getTime() + GRACE_MS < now) this.prompts.delete(id);
    this.prompts.set(prompt.messageId, prompt);
  }

  /** The prompt on this message when `userId` is its asker, removed so a second press finds none. */
  take(messageId: string, userId: string): Prompt | undefined {
    const prompt = this.prompts.get(messageId);
    if (prompt?.askerId !== userId) return undefined;
    this.prompts.delete(messageId);
    return prompt;
  }
}
