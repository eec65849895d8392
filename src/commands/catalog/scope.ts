import { accountIdSchema } from '../../domain/account.ts';
import { AuthorizationError } from '../../domain/errors.ts';
import { sees, visibleOf } from '../../domain/grants.ts';
import type { AccountView } from '../../services/accounts.ts';
import type { AccountExchange } from '../../exchange/types.ts';
import type { ArgDef, CommandContext, Reply } from '../types.ts';

/** `<account>`: an account id the caller may act on (the dispatcher checks the grant). */
export const accountArg = {
  schema: accountIdSchema,
  descriptionKey: 'args.account',
  example: 'sub_a',
  complete: 'account',
} satisfies ArgDef;

/** `[account|all]`: one account, or every account the caller may see. */
export const accountOrAllArg = {
  schema: accountIdSchema.optional(),
  descriptionKey: 'args.account_or_all',
  example: 'sub_a',
  placeholder: 'account|all',
  complete: 'account',
} satisfies ArgDef;

export { symbolArg } from './trading-symbol.ts';

/** The accounts a command reads: the one named, or all the caller may see for none / `all`. */
export async function accountsInScope(ctx: CommandContext, account: string | undefined): Promise<AccountView[]> {
  const { caller, services } = ctx;
  if (account && account !== 'all') {
    const one = await services.accounts.get(account);
    if (!sees(caller.accounts, one.id)) {
      throw new AuthorizationError('errors.account_not_granted', { account: one.id });
    }
    return [one];
  }
  return visibleOf(caller.accounts, await services.accounts.list(), (a) => a.id);
}

/**
 * The reply of a read-only command over `[account|all]`: reads every account in scope from its
 * exchange in parallel; one account's failure becomes its own line and hides no other.
 */
export async function replyPerAccount<T>(
  ctx: CommandContext,
  account: string | undefined,
  read: (exchange: AccountExchange, account: AccountView) => Promise<T>,
  render: (account: AccountView, value: T) => string,
  { showsBalances = false }: { showsBalances?: boolean } = {},
): Promise<Reply> {
  const accounts = await accountsInScope(ctx, account);
  if (accounts.length === 0) return { text: ctx.t('accounts.none') };
  const blocks = await Promise.all(
    accounts.map(async (a) => {
      try {
        return render(a, await read(await ctx.services.exchanges.for(a.id), a));
      } catch (err) {
        return `${a.id}: ${ctx.describeError(err)}`;
      }
    }),
  );
  // PRIVATE_BALANCES: what an account holds is shown only to the caller.
  return {
    text: blocks.join('\n\n'),
    ...(showsBalances ? { ephemeral: ctx.services.config.privateBalances } : {}),
  };
}
