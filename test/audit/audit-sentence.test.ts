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

  it("an admin's change reads in the reader's words: terms translated, lists joined, an empty value is none", () => {
    const edited = row({
      platform: 'web',
      externalId: 'admin',
      command: 'accounts.edit',
      accountId: 'sub_b',
      facts: JSON.stringify({
        change: [
          { key: 'audit.web.changed', params: { field: 'copyRole', from: 'NONE', to: 'LEADER' } },
          { key: 'audit.web.changed', params: { field: 'cap', from: '', to: '200' } },
          { key: 'audit.web.key_warnings', params: { warnings: ['can_withdraw', 'no_ip_restriction'] } },
        ],
      }),
    });
    expect(describeAuditRow(en, edited)).toEqual({
      action: 'Edit account',
      outcome: 'ok',
      sentence:
        'Done. Changed copy role: no copy role → leader. Changed cap per trade (USDT): none → 200. Warning about the key: can withdraw, no IP restriction.',
    });
    expect(describeAuditRow(zh, edited)).toEqual({
      action: '编辑账户',
      outcome: '成功',
      sentence:
        '已完成。已修改跟单角色：不参与跟单 → 带单者。已修改单笔上限（USDT）：无 → 200。密钥警告：可提币、无 IP 限制。',
    });
  });

  it('a refusal inside a message reads whole: the exchange did not accept the key, and why', () => {
    const enabled = row({
      platform: 'web',
      command: 'accounts.enable',
      accountId: 'bn1',
      facts: JSON.stringify({
        change: [
          {
            key: 'web.accounts.key_refused',
            params: { reason: 'web.accounts.candidate_rejected', exchange: 'Binance', codeRef: ' (-2015)' },
          },
        ],
      }),
    });
    expect(describeAuditRow(zh, enabled).sentence).toBe(
      `已完成。交易所未接受该密钥：${zh('web.accounts.candidate_rejected', { exchange: 'Binance', codeRef: ' (-2015)' })}`,
    );
  });

  it('an admin row from before the facts: its English words as they are, its action by name', () => {
    const old = row({ platform: 'web', command: 'accounts.enable', detail: 'was DISABLED; key accepted' });
    expect(describeAuditRow(zh, old)).toEqual({
      action: '启用账户',
      outcome: '成功',
      sentence: '已完成：was DISABLED; key accepted',
    });
    const unnamed = row({ platform: 'web', command: 'reports.export', detail: '3 rows' });
    expect(describeAuditRow(en, unnamed).action).toBe('reports.export');
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
