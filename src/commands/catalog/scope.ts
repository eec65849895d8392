import { z } from 'zod';
import { accountIdSchema } from '../../domain/account.ts';
import { AuthorizationError } from '../../domain/errors.ts';
import type { AccountView } from '../../services/accounts.ts';
import type { ArgDef, CommandContext } from '../types.ts';

/** `<account>`: an account id the caller may act on (the dispatcher checks the grant). */
export const accountArg = {
  schema: accountIdSchema,
  descriptionKey: 'args.account',
  complete: 'account',
} satisfies ArgDef;

/** `[account|all]`: one account, or every account the caller may see. */
export const accountOrAllArg = {
  schema: accountIdSchema.optional(),
  descriptionKey: 'args.account_or_all',
  placeholder: 'account|all',
  complete: 'account',
} satisfies ArgDef;

export const symbolArg = {
  schema: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{2,20}(\/[A-Z0-9]{2,20}(:[A-Z0-9]{2,20})?)?$/, 'a symbol such as BTC/USDT or BTCUSDT')
    .optional(),
  descriptionKey: 'args.symbol',
} satisfies ArgDef;

/** The accounts a command reads: the one named, or all the caller may see for none / `all`. */
export async function accountsInScope(ctx: CommandContext, account: string | undefined): Promise<AccountView[]> {
  const { caller, services } = ctx;
  if (account && account !== 'all') {
    const one = await services.accounts.get(account);
    if (caller.accounts !== 'all' && !caller.accounts.has(one.id)) {
      throw new AuthorizationError('errors.account_not_granted', { account: one.id });
    }
    return [one];
  }
  const all = await services.accounts.list();
  return caller.accounts === 'all' ? all : all.filter((a) => caller.accounts !== 'all' && caller.accounts.has(a.id));
}

/** Runs `read` for every account in parallel; one account's failure becomes its own line. */
export async function perAccount<T>(
  ctx: CommandContext,
  accounts: AccountView[],
  read: (account: AccountView) => Promise<T>,
  render: (account: AccountView, value: T) => string,
): Promise<string[]> {
  return Promise.all(
    accounts.map(async (account) => {
      try {
        return render(account, await read(account));
      } catch (err) {
        return `${account.id}: ${ctx.describeError(err)}`;
      }
    }),
  );
}
