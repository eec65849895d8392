import { visibleOf } from '../../domain/grants.ts';
import type { ArgCompletion } from '../../commands/types.ts';
import type { AccountService } from '../../services/accounts.ts';
import type { CallerRef, IdentityService } from '../../services/identity.ts';
import type { VirtualPositions } from '../../services/orders/virtual-positions.ts';

/** Discord shows at most 25 suggestions. */
export const COMPLETION_LIMIT = 25;

export interface CompletionSources {
  identity: IdentityService;
  accounts: AccountService;
  vps: VirtualPositions;
}

/** What was typed so far, and the other options already filled in (the account a VP belongs to). */
export interface CompletionInput {
  kind: ArgCompletion;
  typed: string;
  account?: string | undefined;
}

/** Values starting with what was typed first, then those containing it; at most 25. */
export function filterSuggestions(values: readonly string[], typed: string): string[] {
  const needle = typed.trim().toLowerCase();
  const unique = [...new Set(values)];
  const starts = unique.filter((v) => v.toLowerCase().startsWith(needle));
  const contains = unique.filter((v) => !v.toLowerCase().startsWith(needle) && v.toLowerCase().includes(needle));
  return [...starts, ...contains].slice(0, COMPLETION_LIMIT);
}

/**
 * Suggestions for an option as the caller types: only accounts the caller may see (owners see
 * all, everyone else their grants, an unlinked user none), followers among them, and the VP
 * names of the account chosen in the same command. Suggesting grants nothing: the command is
 * authorized again when it runs.
 */
export async function suggestionsFor(
  sources: CompletionSources,
  ref: CallerRef,
  input: CompletionInput,
): Promise<string[]> {
  const caller = await sources.identity.resolve(ref);
  const visible = visibleOf(caller.accounts, await sources.accounts.list(), (a) => a.id);
  switch (input.kind) {
    case 'account':
      return filterSuggestions(
        visible.map((a) => a.id),
        input.typed,
      );
    case 'follower':
      return filterSuggestions(
        visible.filter((a) => a.copyRole === 'FOLLOWER').map((a) => a.id),
        input.typed,
      );
    case 'vp': {
      const chosen = visible.filter((a) => a.id === input.account);
      const scope = (input.account ? chosen : visible).map((a) => a.id);
      if (scope.length === 0) return [];
      const vps = await sources.vps.list(scope);
      return filterSuggestions(
        vps.map((vp) => vp.name),
        input.typed,
      );
    }
  }
}
