import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argShapes } from '../../src/commands/args.ts';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { GRANT_REFUSAL, ROLE_REFUSAL } from '../../src/commands/dispatcher.ts';
import { leafCommands, type CommandDef } from '../../src/commands/types.ts';
import type { CommandScope } from '../../src/domain/grants.ts';
import { roleAllows } from '../../src/domain/roles.ts';
import type { CallerRef } from '../../src/services/identity.ts';
import { grantUser, startTestApp, telegramUser, type TestApp } from '../support/harness.ts';

/**
 * Every declared command × role × grant, generated from the declarations (a new command is in it
 * the day it is declared): allowed, or refused with an audit row saying why. Then every command
 * that lists accounts, run by someone who sees only some: nothing of the others shows.
 */

const ROLES_TRIED = ['none', 'viewer', 'trader', 'owner'] as const;
type Tried = (typeof ROLES_TRIED)[number];
const ALL_ACCOUNTS = ['main', 'sub_a', 'sub_b', 'lead', 'f1', 'f2'];

/** The account each command names in the matrix, and another one the caller is granted instead. */
function targets(def: CommandDef): { named: string; other: string; field: string | undefined } {
  if (def.scope === 'desk') return { named: 'lead', other: 'sub_a', field: undefined };
  if ('follower' in def.args) return { named: 'f1', other: 'f2', field: 'follower' };
  return { named: 'sub_a', other: 'sub_b', field: 'account' in def.args ? 'account' : undefined };
}

/** Valid values for a run: every required argument's example (or first choice), the account named. */
function valuesFor(def: CommandDef, account: string | undefined): Record<string, unknown> {
  const { field } = targets(def);
  const values: Record<string, unknown> = {};
  for (const shape of argShapes(def)) {
    if (shape.name === field) {
      if (account !== undefined) values[shape.name] = account;
    } else if (shape.required) {
      values[shape.name] = shape.example ?? shape.choices?.[0] ?? 'x';
    }
  }
  return values;
}

let t: TestApp;
let nextId = 5000;
const commands = leafCommands(COMMANDS);

async function caller(role: Tried, grants: string[]): Promise<CallerRef> {
  const ref = telegramUser(String(nextId++));
  if (role !== 'none') await grantUser(t.app, ref, role, grants);
  return ref;
}

async function lastAudit(ref: CallerRef, command: string) {
  return t.app.services.db.auditLog.findFirst({
    where: { externalId: ref.externalId, command },
    orderBy: { id: 'desc' },
  });
}

beforeAll(async () => {
  t = await startTestApp();
  // A leader event copied to both followers, so /events and /followers have something to hide.
  const { db } = t.app.services;
  await db.copyEvent.create({
    data: {
      leaderId: 'lead',
      leaderOrderId: '1',
      leaderKey: 'o:BTC/USDT:1',
      symbol: 'BTC/USDT',
      side: 'buy',
      fraction: '0.1',
      quoteFilled: '1000',
      baseFilled: '0.016',
      freeBefore: '10000',
      filledAt: new Date(),
      status: 'DISPATCHED',
      intents: {
        create: ['f1', 'f2'].map((followerId) => ({
          followerId,
          clientOrderId: `hsmatrix${followerId}`,
          mode: 'share',
          status: 'FILLED',
          amount: '100',
        })),
      },
    },
  });
});
afterAll(async () => t.close());

/**
 * What each command touches, as README's "Grants" states it — written here by hand, so a
 * declaration that changes its scope, or a new command nobody placed, fails this file.
 */
const EXPECTED_SCOPE: Record<string, CommandScope> = {
  help: 'none',
  whoami: 'none',
  lang: 'none',
  'alerts status': 'none',
  'alerts on': 'none',
  'alerts off': 'none',
  accounts: 'visible',
  balance: 'visible',
  positions: 'visible',
  'vp list': 'visible',
  'reconcile show': 'visible',
  orders: 'visible',
  risk: 'visible',
  'copy status': 'visible',
  'followers list': 'visible',
  events: 'visible',
  pnl: 'visible',
  daily: 'visible',
  weekly: 'visible',
  monthly: 'visible',
  trades: 'visible',
  performance: 'visible',
  order: 'account',
  'vp open': 'account',
  'vp show': 'account',
  'vp close': 'account',
  'vp tpsl': 'account',
  'reconcile assign': 'account',
  'reconcile accept': 'account',
  cancel: 'account',
  'followers set': 'account',
  'followers add': 'account',
  'followers remove': 'account',
  pause: 'account',
  resume: 'account',
  'copy start': 'desk',
  'copy stop': 'desk',
  'copy symbol': 'desk',
};

describe('every command keeps to the caller’s role and grants', () => {
  it('every command is placed in the rule, and names the account it acts on', () => {
    expect(Object.fromEntries(commands.map((d) => [d.name, d.scope]))).toEqual(EXPECTED_SCOPE);
    for (const def of commands) {
      if (def.scope === 'account') expect(targets(def).field ?? def.accountOf).toBeDefined();
    }
  });

  for (const def of commands) {
    for (const role of ROLES_TRIED) {
      for (const grant of ['named', 'other'] as const) {
        const { named, other, field } = targets(def);
        // A command that names an account (or acts for the leader) is checked against it; one
        // that lists accounts without naming one only filters what it shows.
        const namesAccount = def.scope === 'desk' || (def.scope !== 'none' && (field !== undefined || !!def.accountOf));
        const roleOk = roleAllows(role === 'none' ? undefined : role, def.role);
        const allowed = roleOk && (!namesAccount || role === 'owner' || grant === 'named');
        const what = namesAccount
          ? grant === 'named'
            ? named
            : `${named}, granted only ${other}`
          : `granted ${grant === 'named' ? named : other}`;
        it(`/${def.name} (${def.scope}) by ${role} on ${what}: ${allowed ? 'allowed' : 'refused'}`, async () => {
          const ref = await caller(role, [grant === 'named' ? named : other]);
          const reply = await t.app.dispatcher.handleValues(
            ref,
            def.name,
            valuesFor(def, field && def.scope !== 'none' ? named : undefined),
          );
          const row = await lastAudit(ref, def.name);
          const refusedForAccess =
            row?.outcome === 'refused' && (row.detail === GRANT_REFUSAL || (row.detail ?? '').startsWith(ROLE_REFUSAL));
          if (allowed) {
            expect(refusedForAccess, `${reply.text} (${String(row?.detail)})`).toBe(false);
            expect(reply.text).not.toMatch(
              /no access to account|needs the \w+ role|changes copying for every follower/,
            );
          } else {
            expect(refusedForAccess, reply.text).toBe(true);
            // Refused for the role, the arguments are not even read; refused for the grant, the
            // audit row names the account asked for.
            if (roleOk && def.scope !== 'desk') expect(row?.accountId).toBe(named);
            expect(reply.ephemeral).toBe(true);
          }
        });
      }
    }
  }

  const listing = commands.filter((d) => d.scope === 'visible');
  for (const role of ['viewer', 'trader'] as const) {
    for (const def of listing) {
      it(`/${def.name} for a ${role} granted sub_a and f1 shows nothing of main, sub_b, lead or f2`, async () => {
        if (!roleAllows(role, def.role)) return;
        const ref = await caller(role, ['sub_a', 'f1']);
        const values = valuesFor(def, undefined);
        for (const form of [
          values,
          ...(targets(def).field ? [{ ...values, [targets(def).field ?? '']: 'all' }] : []),
        ]) {
          const reply = await t.app.dispatcher.handleValues(ref, def.name, form);
          for (const hidden of ALL_ACCOUNTS.filter((a) => a !== 'sub_a' && a !== 'f1')) {
            expect(reply.text, `${def.name} ${JSON.stringify(form)}`).not.toMatch(new RegExp(`\\b${hidden}\\b`));
          }
        }
      });
    }
  }

  it('/events shows a follower’s copies to a person granted only that follower, with its own counts', async () => {
    const ref = await caller('viewer', ['f1']);
    const text = (await t.app.dispatcher.handleLine(ref, '/events detail'))?.text ?? '';
    expect(text).toContain('f1:');
    expect(text).toContain('1 ok');
    expect(text).not.toMatch(/\bf2\b|\blead\b/);
    const owner = await caller('owner', []);
    const all = (await t.app.dispatcher.handleValues(owner, 'events', { detail: 'detail' })).text;
    expect(all).toMatch(/\blead\b/);
    expect(all).toContain('2 ok');
  });

  it('/copy status counts only what the caller sees', async () => {
    const ref = await caller('viewer', ['f1']);
    const text = (await t.app.dispatcher.handleValues(ref, 'copy status', {})).text;
    expect(text).toContain('The leader account is not among your accounts.');
    expect(text).toContain('Followers: 1 (1 active');
    expect(text).toContain('Leader events: 1.');
    const none = await caller('viewer', ['sub_a']);
    const nothing = (await t.app.dispatcher.handleValues(none, 'copy status', {})).text;
    expect(nothing).toContain('Followers: 0 (0 active');
    expect(nothing).toContain('Leader events: 0.');
    const owner = await caller('owner', []);
    expect((await t.app.dispatcher.handleValues(owner, 'copy status', {})).text).toContain('Followers: 2 (2 active');
  });

  it('a trader granted only sub_a cannot start or stop copying; one granted the leader can', async () => {
    const subA = await caller('trader', ['sub_a']);
    for (const name of ['copy start', 'copy stop']) {
      const reply = await t.app.dispatcher.handleValues(subA, name, {});
      expect(reply.text).toContain('needs the owner role, or a grant on the leader account.');
      expect(reply.text).not.toMatch(/\blead\b/);
    }
    const leaderTrader = await caller('trader', ['lead']);
    // Copying is stopped on this desk: starting it is what asks for a Confirm.
    const ask = await t.app.dispatcher.handleValues(leaderTrader, 'copy start', {});
    expect(ask.confirmation).toBeDefined();
    const stop = await t.app.dispatcher.handleValues(leaderTrader, 'copy stop', {});
    expect(stop.text).toBe('Copying is already stopped; nothing changed. Leader orders are recorded, not copied.');
  });
});

// Keep the matrix honest: the role list is the domain's, plus the caller nobody linked.
it('the matrix tries every role', () => {
  expect(ROLES_TRIED.filter((r) => r !== 'none')).toEqual(['viewer', 'trader', 'owner']);
});
