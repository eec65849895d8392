import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/domain/errors.ts';
import { PeopleRefusedError } from '../../src/services/people.ts';
import { startTestApp, telegramUser, type TestApp } from '../support/harness.ts';

let desk: TestApp;

beforeAll(async () => {
  desk = await startTestApp();
});
afterAll(async () => {
  await desk.close();
});

const people = () => desk.app.services.people;

describe('people: users, roles, grants and chat ids', () => {
  it('lists the bootstrap owner with its console identity', async () => {
    const all = await people().list();
    const owner = all.find((p) => p.role === 'owner');
    expect(owner?.identities.map((i) => `${i.platform}:${i.externalId}`)).toContain('console:local');
  });

  it('creates a trader, grants and revokes accounts; the grant is what chat sees', async () => {
    const ann = await people().create({ name: '  Ann  ', role: 'trader' });
    expect(ann.name).toBe('Ann');
    await people().grant(ann.id, 'sub_a');
    await people().grant(ann.id, 'sub_a');
    const granted = await people().grant(ann.id, 'main');
    expect(granted.grants).toEqual(['main', 'sub_a']);

    await people().link(ann.id, { platform: 'telegram', externalId: '5550001' });
    const caller = await desk.app.services.identity.resolve(telegramUser('5550001'));
    expect(caller.role).toBe('trader');
    expect(caller.accounts).toEqual(new Set(['main', 'sub_a']));

    expect(await people().revoke(ann.id, 'main')).toBe(true);
    expect(await people().revoke(ann.id, 'main')).toBe(false);
    expect((await people().get(ann.id)).grants).toEqual(['sub_a']);
  });

  it('refuses a grant on an account that does not exist', async () => {
    const bob = await people().create({ name: 'Bob', role: 'viewer' });
    await expect(people().grant(bob.id, 'nope')).rejects.toMatchObject({ key: 'errors.account_not_found' });
  });

  it('links an identity that already exists from an unknown caller, keeping its language', async () => {
    const stranger = await desk.app.services.identity.resolve(telegramUser('5550002'));
    await desk.app.services.identity.setLanguage(stranger, 'zh');
    expect((await people().unlinkedIdentities()).map((i) => i.externalId)).toContain('5550002');

    const cy = await people().create({ name: 'Cy', role: 'viewer' });
    await people().link(cy.id, { platform: 'telegram', externalId: '5550002' });
    const again = await desk.app.services.identity.resolve(telegramUser('5550002'));
    expect(again.userName).toBe('Cy');
    expect(again.language).toBe('zh');
    expect((await people().unlinkedIdentities()).map((i) => i.externalId)).not.toContain('5550002');
  });

  it('refuses to take an id linked to someone else, and unlinks', async () => {
    const dee = await people().create({ name: 'Dee', role: 'trader' });
    const eve = await people().create({ name: 'Eve', role: 'trader' });
    const discordId = '123456789012345678';
    await people().link(dee.id, { platform: 'discord', externalId: discordId });
    const taken = people().link(eve.id, { platform: 'discord', externalId: discordId });
    await expect(taken).rejects.toBeInstanceOf(PeopleRefusedError);
    await expect(taken).rejects.toMatchObject({ key: 'people.identity_taken', params: { user: 'Dee' } });

    expect(await people().unlink(eve.id, { platform: 'discord', externalId: discordId })).toBe(false);
    expect(await people().unlink(dee.id, { platform: 'discord', externalId: discordId })).toBe(true);
    const caller = await desk.app.services.identity.resolve({ platform: 'discord', externalId: discordId });
    expect(caller.role).toBeUndefined();
  });

  it('validates ids with a readable message', async () => {
    const fay = await people().create({ name: 'Fay', role: 'viewer' });
    await expect(people().link(fay.id, { platform: 'discord', externalId: '12345' })).rejects.toThrow(
      /17 to 20 digits/,
    );
    await expect(people().link(fay.id, { platform: 'telegram', externalId: '12a' })).rejects.toThrow(/digits only/);
    await expect(people().create({ name: ' ', role: 'viewer' })).rejects.toThrow(/name is required/);
  });

  it('never leaves the desk without an owner', async () => {
    const owners = (await people().list()).filter((p) => p.role === 'owner');
    expect(owners).toHaveLength(1);
    const [only] = owners;
    if (!only) throw new Error('no owner');
    await expect(people().setRole(only.id, 'trader')).rejects.toMatchObject({ key: 'people.last_owner' });
    await expect(people().remove(only.id)).rejects.toMatchObject({ key: 'people.last_owner' });

    const gus = await people().create({ name: 'Gus', role: 'owner' });
    await people().setRole(only.id, 'trader');
    expect((await people().get(only.id)).role).toBe('trader');
    await expect(people().remove(gus.id)).rejects.toMatchObject({ key: 'people.last_owner' });
    await people().setRole(only.id, 'owner');
    const removed = await people().remove(gus.id);
    expect(removed.name).toBe('Gus');
  });

  it('deleting a user drops its grants and leaves its chat ids as unknown callers', async () => {
    const hal = await people().create({ name: 'Hal', role: 'trader' });
    await people().grant(hal.id, 'f1');
    await people().link(hal.id, { platform: 'telegram', externalId: '5550003' });
    await people().remove(hal.id);
    await expect(people().get(hal.id)).rejects.toBeInstanceOf(NotFoundError);
    const caller = await desk.app.services.identity.resolve(telegramUser('5550003'));
    expect(caller.userId).toBeUndefined();
    expect(await desk.app.services.db.accountGrant.count({ where: { userId: hal.id } })).toBe(0);
  });
});
