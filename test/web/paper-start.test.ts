import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/services/seed.ts';
import { startWebDesk, type WebDesk } from './web-desk.ts';

/** What a newcomer sees in the admin right after the first start of a paper desk. */
describe('a fresh paper desk in the admin', () => {
  let web: WebDesk;
  let zh: WebDesk;

  beforeAll(async () => {
    web = await startWebDesk();
    await web.desk.app.start();
    zh = await startWebDesk({ env: { DEFAULT_LANGUAGE: 'zh' } });
  });
  afterAll(async () => {
    await web.close();
    await zh.close();
  });

  it('the login page says where the generated password is, in the desk language', async () => {
    const en = await web.client().get('/login');
    expect(en.text).toContain(
      'The password is the value of ADMIN_PASSWORD. In paper mode without it, one was generated on the first start into the file DATA_DIR/admin-password',
    );
    expect(en.text).toContain('log in with it, then delete the file.');
    expect(en.text).not.toContain('printed once');
    const cn = await zh.client().get('/login');
    expect(cn.text).toContain('<h1>登录</h1>');
    expect(cn.text).toContain('所有者密码');
    expect(cn.text).toContain(
      '密码是 ADMIN_PASSWORD 的值。纸面交易模式下未设置它时，首次启动会生成一个密码并写入文件 DATA_DIR/admin-password',
    );
  });

  it('demo accounts were verified at start: a time on the list, and what each key may do', async () => {
    const owner = await web.owner();
    const list = await owner.get('/accounts');
    expect(list.status).toBe(200);
    for (const account of DEMO_ACCOUNTS) {
      const row =
        new RegExp(`<tr[^>]*>\\s*<td><a href="/accounts/${account.id}">[\\s\\S]*?</tr>`).exec(list.text)?.[0] ?? '';
      expect(row, account.id).not.toBe('');
      expect(row, account.id).not.toContain('never');
      expect(row, account.id).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    }
    const rows = await web.desk.app.services.accounts.list();
    for (const row of rows) {
      expect(row.lastVerifiedAt, row.id).not.toBeNull();
      expect(row.keyPermissions, row.id).not.toBeNull();
    }
    const detail = await owner.get('/accounts/f2');
    expect(detail.text).toMatch(
      /spot trading: yes · futures trading: (yes|no) · withdrawals: no · IP restriction: yes/,
    );
  });
});
