import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSentence, startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/** The People page as the owner uses it, over real HTTP: every change goes through PeopleService and is audited. */
let web: WebDesk;
let owner: WebClient;

const services = () => web.desk.app.services;
const htmx = { 'hx-request': 'true', 'hx-target': 'people-table' };
const lastAudit = async (command: string) =>
  services().db.auditLog.findFirst({ where: { command }, orderBy: { id: 'desc' } });
const userNamed = async (name: string) => {
  const found = (await services().people.list()).find((p) => p.name === name);
  if (!found) throw new Error(`no user ${name}`);
  return found;
};

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
});
afterAll(async () => {
  await web.close();
});

describe('people page', () => {
  it('lists users with role, linked ids and grants', async () => {
    const ann = await services().people.create({ name: 'Ann', role: 'trader' });
    await services().people.grant(ann.id, 'sub_a');
    await services().people.link(ann.id, { platform: 'telegram', externalId: '7770001' });
    const page = await owner.get('/people');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>People</h1>');
    expect(page.text).toContain('aria-current="page">People</a>');
    const row = page.text.slice(page.text.indexOf(`id="person-${ann.id}"`));
    expect(row).toMatch(/<strong>Ann<\/strong>/);
    expect(row).toMatch(/<option value="trader" selected>/);
    expect(row).toContain('telegram <code>7770001</code>');
    expect(row).toContain('<code>sub_a</code>');
    expect(page.text).toContain('console <code>local</code>');
  });

  it('adds a person without JavaScript: 303, flash, audit row', async () => {
    const res = await owner.post('/people', { name: 'Bob', role: 'viewer' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/people');
    const page = await owner.get('/people');
    expect(page.text).toContain('Bob added as viewer.');
    expect((await userNamed('Bob')).role).toBe('viewer');
    expect(await lastAudit('people.add')).toMatchObject({ platform: 'web', externalId: 'admin', outcome: 'ok' });
  });

  it('an invalid form shows a readable error, changes nothing and is audited as invalid', async () => {
    const before = (await services().people.list()).length;
    const res = await owner.post('/people', { name: '   ', role: 'admiral' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('a name is required');
    expect(res.text).toContain('one of: viewer, trader, owner');
    expect((await services().people.list()).length).toBe(before);
    expect(await lastAudit('people.add')).toMatchObject({ outcome: 'invalid' });
  });

  it('changes a role, grants and revokes an account in place with htmx', async () => {
    const bob = await userNamed('Bob');
    const role = await owner.post(`/people/${bob.id}/role`, { role: 'trader' }, htmx);
    expect(role.status).toBe(200);
    expect(role.text).not.toContain('<html');
    expect(role.text).toContain('Bob is now trader.');
    expect((await services().people.get(bob.id)).role).toBe('trader');
    const changed = await lastAudit('people.role');
    expect(changed?.outcome).toBe('ok');
    expect(auditSentence(changed)).toBe(`Done. Bob (#${bob.id}): role viewer → trader.`);
    expect(auditSentence(changed, 'zh')).toBe(`已完成。Bob（#${bob.id}）：角色 查看者 → 交易员。`);

    const grant = await owner.post(`/people/${bob.id}/grant`, { accountId: 'f1' }, htmx);
    expect(grant.text).toContain('Bob may now act on account f1.');
    const caller = await services().identity.resolve({ platform: 'telegram', externalId: '7770002' });
    expect(caller.role).toBeUndefined();
    await owner.post(`/people/${bob.id}/link`, { platform: 'telegram', externalId: '7770002' }, htmx);
    const linked = await services().identity.resolve({ platform: 'telegram', externalId: '7770002' });
    expect(linked.accounts).toEqual(new Set(['f1']));
    expect(await lastAudit('people.grant')).toMatchObject({ accountId: 'f1', outcome: 'ok' });

    const revoke = await owner.post(`/people/${bob.id}/revoke`, { accountId: 'f1' }, htmx);
    expect(revoke.text).toContain('Bob may no longer act on account f1.');
    expect((await services().people.get(bob.id)).grants).toEqual([]);
    expect(await lastAudit('people.revoke')).toMatchObject({ accountId: 'f1', outcome: 'ok' });
  });

  it('links and unlinks Telegram and Discord ids; a wrong id is explained next to the form', async () => {
    const bob = await userNamed('Bob');
    const bad = await owner.post(`/people/${bob.id}/link`, { platform: 'discord', externalId: '12ab' }, htmx);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('a Discord user id is 17 to 20 digits');
    expect(bad.text).toContain('value="12ab"');
    expect(await lastAudit('people.link')).toMatchObject({ outcome: 'invalid' });

    const discordId = '112233445566778899';
    const ok = await owner.post(`/people/${bob.id}/link`, { platform: 'discord', externalId: discordId });
    expect(ok.status).toBe(303);
    expect((await services().identity.resolve({ platform: 'discord', externalId: discordId })).userName).toBe('Bob');

    const ann = await userNamed('Ann');
    const taken = await owner.post(`/people/${ann.id}/link`, { platform: 'discord', externalId: discordId }, htmx);
    expect(taken.status).toBe(409);
    expect(taken.text).toContain(`The discord id ${discordId} already belongs to Bob; unlink it there first.`);
    expect(await lastAudit('people.link')).toMatchObject({ outcome: 'refused' });

    const unlink = await owner.post(`/people/${bob.id}/unlink`, { platform: 'discord', externalId: discordId }, htmx);
    expect(unlink.text).toContain(`discord id ${discordId} no longer speaks for Bob.`);
    expect((await services().identity.resolve({ platform: 'discord', externalId: discordId })).userId).toBeUndefined();
    expect(await lastAudit('people.unlink')).toMatchObject({ outcome: 'ok' });
  });

  it('refuses to demote or delete the last owner, in words', async () => {
    const owners = (await services().people.list()).filter((p) => p.role === 'owner');
    for (const o of owners.slice(1)) await services().people.setRole(o.id, 'trader');
    const [only] = owners;
    if (!only) throw new Error('no owner');
    const res = await owner.post(`/people/${only.id}/role`, { role: 'viewer' }, htmx);
    expect(res.status).toBe(409);
    expect(res.text).toContain('is the last owner; make someone else an owner first');
    const del = await owner.post(`/people/${only.id}/delete`);
    expect(del.status).toBe(409);
    expect((await services().people.get(only.id)).role).toBe('owner');
    expect(await lastAudit('people.delete')).toMatchObject({ outcome: 'refused' });
    for (const o of owners.slice(1)) await services().people.setRole(o.id, 'owner');
  });

  it('deletes a person; an unknown id is a readable 404', async () => {
    const bob = await userNamed('Bob');
    const res = await owner.post(`/people/${bob.id}/delete`, {}, htmx);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Bob deleted.');
    expect((await services().people.list()).some((p) => p.name === 'Bob')).toBe(false);
    expect(await lastAudit('people.delete')).toMatchObject({ outcome: 'ok' });

    const missing = await owner.post(`/people/${bob.id}/role`, { role: 'viewer' });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain(`There is no user #${bob.id}`);
  });

  it('escapes names: a script in a name renders inert', async () => {
    await owner.post('/people', { name: '<script>alert(1)</script>', role: 'viewer' });
    const page = await owner.get('/people');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
