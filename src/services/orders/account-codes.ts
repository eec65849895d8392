import type { Db } from '../../infra/db/client.ts';

/**
 * The small integer that names an account inside client order ids. Assigned once per account,
 * never reused; cached both ways because attribution decodes it for every fill.
 */
export class AccountCodes {
  private readonly byAccount = new Map<string, number>();
  private readonly byCode = new Map<number, string>();

  constructor(private readonly db: Db) {}

  async codeOf(accountId: string): Promise<number> {
    const cached = this.byAccount.get(accountId);
    if (cached !== undefined) return cached;
    const row = await this.db.accountCode.upsert({ where: { accountId }, create: { accountId }, update: {} });
    this.remember(row.code, row.accountId);
    return row.code;
  }

  async accountOf(code: number): Promise<string | undefined> {
    const cached = this.byCode.get(code);
    if (cached !== undefined) return cached;
    const row = await this.db.accountCode.findUnique({ where: { code } });
    if (row) this.remember(row.code, row.accountId);
    return row?.accountId;
  }

  private remember(code: number, accountId: string): void {
    this.byAccount.set(accountId, code);
    this.byCode.set(code, accountId);
  }
}
