import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertCategoriesSchema, alertDestinationSchema } from '../../src/services/alerts/alert-settings.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

let desk: TestApp;

beforeAll(async () => {
  desk = await startTestApp();
});
afterAll(async () => {
  await desk.close();
});

const alerts = () => desk.app.services.alerts;

describe('alert destinations (the admin side of /alerts)', () => {
  it('adds, lists, changes and removes a destination; chat /alerts status sees each change', async () => {
    const added = await alerts().subscribe('telegram', '-1001234567890', {
      categories: ['copy', 'tpsl'],
      minSeverity: 'warning',
      language: 'zh',
      userId: 1,
    });
    const listed = await alerts().listDestinations();
    expect(listed.map((d) => [d.subscription.destination, d.subscription.categories, d.pending])).toEqual([
      ['-1001234567890', 'copy,tpsl', 0],
    ]);

    await alerts().updateDestination(added.id, { categories: '*', minSeverity: 'critical', language: 'en' });
    const changed = alerts().subscription('telegram', '-1001234567890')?.subscription;
    expect(changed).toMatchObject({ categories: '*', minSeverity: 'critical', language: 'en', userId: 1 });

    const removed = await alerts().removeDestination(added.id);
    expect(removed.destination).toBe('-1001234567890');
    expect(alerts().subscription('telegram', '-1001234567890')).toBeUndefined();
    expect(await alerts().listDestinations()).toEqual([]);
    await expect(alerts().removeDestination(added.id)).rejects.toMatchObject({
      key: 'alerts.destination_not_found',
    });
  });

  it('validates destinations and categories with readable messages', () => {
    expect(alertDestinationSchema.safeParse({ platform: 'telegram', destination: '-100123' }).success).toBe(true);
    const discord = alertDestinationSchema.safeParse({ platform: 'discord', destination: '12' });
    expect(discord.error?.issues[0]?.message).toMatch(/17 to 20 digits/);
    expect(alertCategoriesSchema.safeParse('copy,tpsl').success).toBe(true);
    expect(alertCategoriesSchema.safeParse('copy,nope').error?.issues[0]?.message).toMatch(/comma-separated list/);
  });
});
