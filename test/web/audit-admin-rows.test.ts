import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { allowedWords, chineseIn, englishLeaks } from '../support/language-leaks.ts';
import { auditRowsOf, startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/**
 * What an owner reads on the Audit page after administering the desk in the admin: each action
 * named in their language, and what it changed in their words — roles, account kinds, copy
 * roles, statuses, alert categories and severities translated; names, account ids and key masks
 * as they are. The same session on a desk that reads English and on one that reads Chinese.
 */
interface Session {
  web: WebDesk;
  owner: WebClient;
  /** Dana's user id: the person the session adds, promotes and deletes. */
  dana: number;
}

async function session(language: 'en' | 'zh'): Promise<Session> {
  const web = await startWebDesk({ env: { DEFAULT_LANGUAGE: language } });
  const owner = await web.owner();
  await owner.post('/people', { name: 'Dana', role: 'viewer' });
  const dana = (await web.desk.app.services.people.list()).find((p) => p.name === 'Dana');
  if (!dana) throw new Error('Dana was not added');
  await owner.post(`/people/${dana.id}/role`, { role: 'trader' });
  await owner.post(`/people/${dana.id}/grant`, { accountId: 'sub_a' });
  await owner.post(`/people/${dana.id}/revoke`, { accountId: 'sub_b' });
  await owner.post('/people', { name: ' ', role: 'admiral' });
  await owner.post('/accounts/sub_b/edit', { name: 'Sub B', kind: 'MAIN', copyRole: 'FOLLOWER' });
  await owner.post('/accounts/sub_b/edit', { name: 'Sub B', kind: 'MAIN', copyRole: 'FOLLOWER' });
  await owner.post('/accounts/sub_b/disable', {});
  await owner.post('/accounts/sub_b/enable');
  await owner.post('/accounts/main/verify');
  await owner.post('/alerts', {
    platform: 'telegram',
    destination: '-1001',
    categories: 'copy,risk_limit',
    minSeverity: 'warning',
    language: 'zh',
  });
  await owner.post('/copy/followers/f1/settings', { mode: 'ratio', ratio: '0.5', cap: '200' });
  await owner.post('/copy/start');
  await owner.post('/copy/start');
  await owner.post(`/people/${dana.id}/delete`);
  return { web, owner, dana: dana.id };
}

let en: Session;
let zh: Session;

beforeAll(async () => {
  [en, zh] = await Promise.all([session('en'), session('zh')]);
});
afterAll(async () => {
  await Promise.all([en.web.close(), zh.web.close()]);
});

/** The web admin's rows, oldest first, as "action · outcome · what happened". */
async function adminRows(s: Session): Promise<string[]> {
  const rows = await auditRowsOf(s.owner);
  return rows
    .filter((r) => r.via.startsWith('web'))
    .reverse()
    .map((r) => `${r.action} · ${r.outcome} · ${r.what}`);
}

describe("the admin's own audit rows", () => {
  it('read in English for an English reader: what was asked, how it ended, what changed', async () => {
    const dana = `Dana (#${en.dana}`;
    expect(await adminRows(en)).toEqual([
      'Log in · ok · Done: logged in from 127.0.0.1',
      `Add person · ok · Done. ${dana}) added as viewer.`,
      `Change role · ok · Done. ${dana}): role viewer → trader.`,
      'Grant an account · ok · Done. Dana may now act on account sub_a.',
      'Revoke an account · nothing changed · Nothing changed: Dana had no access to account sub_b; nothing changed.',
      'Add person · invalid · Not run, an argument was wrong: these fields of the form were not valid: name, role.',
      'Edit account · ok · Done. Changed name: Sub B (spot) → Sub B. Changed kind: SUB → MAIN. Changed copy role: no copy role → follower.',
      'Edit account · nothing changed · Nothing changed: the form held the values already set.',
      'Disable account · ok · Done. Changed status: ACTIVE → DISABLED. Reason: disabled in the admin.',
      'Enable account · ok · Done. Changed status: DISABLED → ACTIVE. The exchange accepted the key.',
      'Check key · ok · Done. The key works: balances read, 1 in all.',
      'Add alert chat · ok · Done. telegram -1001 gets copy, risk limit alerts from warning up, in zh.',
      'Set copy sizing · ok · Done. Changed copy mode: share → ratio. Changed ratio: none → 0.5. Changed cap per trade (USDT): none → 200.',
      'Start copying · ok · Done. Copying is running.',
      'Start copying · nothing changed · Nothing changed: Copying is already running; nothing changed.',
      `Delete person · ok · Done. ${dana}, trader) deleted. Dana may no longer act on account sub_a.`,
    ]);
  });

  it('read in Chinese for a Chinese reader, with no English but names, ids and what one types', async () => {
    const rows = await adminRows(zh);
    const dana = `Dana（#${zh.dana}`;
    expect(rows).toEqual([
      '登录 · 成功 · 已完成：从 127.0.0.1 登录',
      `添加人员 · 成功 · 已完成。已添加 ${dana}），角色 查看者。`,
      `修改角色 · 成功 · 已完成。${dana}）：角色 查看者 → 交易员。`,
      '授予账户权限 · 成功 · 已完成。Dana 现在可以操作账户 sub_a。',
      '收回账户权限 · 无变化 · 没有变化：Dana 本来就没有账户 sub_b 的权限，未做更改。',
      '添加人员 · 参数无效 · 未执行，参数有误：表单中以下字段无效：名称、角色。',
      '编辑账户 · 成功 · 已完成。已修改名称：Sub B (spot) → Sub B。已修改类型：子账户 → 母账户。已修改跟单角色：不参与跟单 → 跟单者。',
      '编辑账户 · 无变化 · 没有变化：表单中的值与现有的相同。',
      '停用账户 · 成功 · 已完成。已修改状态：正常 → 已停用。原因：在管理后台停用。',
      '启用账户 · 成功 · 已完成。已修改状态：已停用 → 正常。交易所已接受该密钥。',
      '检查密钥 · 成功 · 已完成。密钥可用：读取了 1 项余额。',
      '添加提醒聊天 · 成功 · 已完成。Telegram -1001 接收跟单、风控提醒，级别 警告 及以上，语言：中文。',
      '设置跟单数量 · 成功 · 已完成。已修改跟单模式：按余额比例 → 按倍数。已修改倍数：无 → 0.5。已修改单笔上限（USDT）：无 → 200。',
      '开始复制 · 成功 · 已完成。复制已开始运行。',
      '开始复制 · 无变化 · 没有变化：复制已经在运行，没有任何变化。',
      `删除人员 · 成功 · 已完成。已删除 ${dana}，交易员）。Dana 不能再操作账户 sub_a。`,
    ]);
    const accounts = await zh.web.desk.app.services.accounts.list();
    const names = ['Dana', ...accounts.flatMap((a) => [a.id, ...a.name.split(/[\s()]+/)])];
    const allowed = allowedWords(COMMANDS, names);
    const leaks = rows.map((r) => ({ r, leaks: englishLeaks(r, allowed) })).filter((r) => r.leaks.length > 0);
    expect(leaks).toEqual([]);
    for (const row of await adminRows(en)) expect(chineseIn(row), row).toEqual([]);
  });

  it('the action filter offers each admin action by its name, and is typed as the log names it', async () => {
    const page = await zh.owner.get('/audit?command=people.role');
    expect(page.text).toContain('<option value="people.role">修改角色</option>');
    expect((await auditRowsOf(zh.owner, '/audit?command=people.role')).map((r) => r.action)).toEqual(['修改角色']);
  });
});
