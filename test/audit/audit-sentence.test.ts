import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/generated/prisma/client.ts';
import { translator } from '../../src/i18n/index.ts';
import { describeAuditRow } from '../../src/services/audit-sentence.ts';

const en = translator('en');
const zh = translator('zh');

function row(fields: Partial<AuditLog>): AuditLog {
  return {
    id: 1,
    at: new Date('2026-12-01T10:00:00Z'),
    userId: 1,
    platform: 'telegram',
    externalId: '1001',
    command: 'order',
    accountId: null,
    symbol: null,
    outcome: 'ok',
    detail: null,
    facts: null,
    ...fields,
  };
}

describe('an audit row in the reader’s words', () => {
  it('a row written before facts were kept shows its message key as words, with the account it names', () => {
    const old = row({
      command: 'followers add',
      accountId: 'main',
      outcome: 'refused',
      detail: 'copy.follower_not_spot',
    });
    expect(describeAuditRow(en, old)).toEqual({
      action: '/followers add',
      outcome: 'refused',
      sentence: 'Refused: Account main is not a spot account; followers copy on spot.',
    });
    expect(describeAuditRow(zh, old).sentence).toBe('已拒绝：账户 main 不是现货账户；跟单只在现货上进行。');
    const extra = row({ command: 'order', outcome: 'invalid', detail: 'errors.arg_extra' });
    expect(describeAuditRow(en, extra).sentence).toBe(
      'Not run, an argument was wrong: Unexpected extra argument: "…".',
    );
    expect(describeAuditRow(zh, extra).sentence).toBe('未执行，参数有误：多余的参数：“…”。');
  });

  it('a reason keeps its parameters; a role is named in the reader’s language', () => {
    const refused = row({
      command: 'risk',
      outcome: 'refused',
      facts: JSON.stringify({
        line: '/risk main daily_loss 1',
        reason: { key: 'errors.role_required', params: { command: '/risk', role: 'owner' } },
      }),
    });
    expect(describeAuditRow(en, refused).action).toBe('/risk main daily_loss 1');
    expect(describeAuditRow(en, refused).sentence).toMatch(/^Refused: .*\/risk.*owner/);
    expect(describeAuditRow(zh, refused).sentence).toMatch(/^已拒绝：.*\/risk.*所有者/);
  });

  it('a quote-amount order, still unknown, reads as such', () => {
    const order = {
      clientOrderId: 'hs1t0031_x',
      exchangeOrderId: null,
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      positionSide: null,
      amount: null,
      cost: '100.50',
      price: null,
      status: 'UNKNOWN',
      filledQty: '0',
      avgPrice: null,
    };
    const unknown = row({ facts: JSON.stringify({ line: '/order sub_b BTC/USDT buy $100.50', orders: [order] }) });
    expect(describeAuditRow(en, unknown).sentence).toBe(
      'Done. Order without an exchange id (client id hs1t0031_x): buy 100.5 USDT of BTC/USDT at market — fate unknown, being looked up by its client id, nothing filled.',
    );
    expect(describeAuditRow(zh, unknown).sentence).toBe(
      '已完成。订单（无交易所订单号，客户端订单号 hs1t0031_x）：买入 价值 100.5 USDT 的 BTC/USDT，市价 — 结果未知，正按客户端订单号查询，未成交。',
    );
  });
});
