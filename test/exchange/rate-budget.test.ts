import { describe, expect, it } from 'vitest';
import { binance } from '../../src/exchange/binance.ts';
import { bitget } from '../../src/exchange/bitget.ts';
import { RateBudget, type BudgetRequest } from '../../src/exchange/rate-budget.ts';
import { ManualClock, settle } from './manual-clock.ts';

const SPOT = binance.limits('spot');
const USDM = binance.limits('usdm');
const BITGET = bitget.limits('spot');

const spotRequest = (endpoint: string, account = 'lead', hasSymbol = true): BudgetRequest => ({
  host: 'binance-spot-prod',
  limits: SPOT,
  account,
  endpoint,
  hasSymbol,
});

/** Starts `count` acquisitions and reports how many got through so far. */
function start(budget: RateBudget, request: BudgetRequest, count: number) {
  let done = 0;
  const all = Promise.all(
    Array.from({ length: count }, () =>
      budget.acquire(request).then(() => {
        done += 1;
      }),
    ),
  );
  return { done: () => done, all };
}

describe('rate budget', () => {
  it('lets requests through while the host has weight left', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    const run = start(budget, spotRequest('GET /api/v3/account'), 300); // 300 × 20 = the 6000 a minute
    await run.all;
    expect(run.done()).toBe(300);
    expect(budget.hostWeightUsed('binance-spot-prod')).toBe(6000);
  });

  it('makes a request wait, not fail, when the host weight is spent, until the window frees it', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    await start(budget, spotRequest('GET /api/v3/account'), 300).all;

    const late = start(budget, spotRequest('GET /api/v3/account', 'f1'), 1);
    await settle();
    expect(late.done()).toBe(0);
    expect(clock.sleeping).toBe(1);

    await clock.advance(59_999);
    expect(late.done()).toBe(0);
    await clock.advance(1);
    await late.all;
    expect(late.done()).toBe(1);
  });

  it('charges a listing without a symbol its all-symbols weight', async () => {
    const budget = new RateBudget(new ManualClock());
    await budget.acquire(spotRequest('GET /api/v3/openOrders', 'lead', false));
    await budget.acquire(spotRequest('GET /api/v3/openOrders', 'lead', true));
    expect(budget.hostWeightUsed('binance-spot-prod')).toBe(80 + 6);
  });

  it("holds an account's 101st order in 10 s, while another account's orders go", async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    await start(budget, spotRequest('POST /api/v3/order', 'lead'), 100).all;

    const extra = start(budget, spotRequest('POST /api/v3/order', 'lead'), 1);
    const other = start(budget, spotRequest('POST /api/v3/order', 'f1'), 50);
    await other.all;
    expect(other.done()).toBe(50);
    expect(extra.done()).toBe(0);

    await clock.advance(10_000);
    await extra.all;
    expect(extra.done()).toBe(1);
  });

  it('counts USDT-M orders against 300 per 10 s and 1200 per minute', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    const order = {
      host: 'binance-usdm-prod',
      limits: USDM,
      account: 'main',
      endpoint: 'POST /fapi/v1/order',
      hasSymbol: true,
    };
    await start(budget, order, 300).all;
    const next = start(budget, order, 1);
    await settle();
    expect(next.done()).toBe(0);
    await clock.advance(10_000);
    await next.all;
    expect(next.done()).toBe(1);
  });

  it('pauses every account on a host after a 429 until retry-after', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    budget.pause('binance-spot-prod', 'lead', { scope: 'host', untilMs: clock.now() + 7000 });
    expect(budget.pausedUntil('binance-spot-prod')).toBe(clock.now() + 7000);

    const lead = start(budget, spotRequest('GET /api/v3/account', 'lead'), 1);
    const follower = start(budget, spotRequest('GET /api/v3/account', 'f1'), 1);
    const otherHost = start(
      budget,
      { ...spotRequest('GET /fapi/v3/account', 'main'), host: 'binance-usdm-prod', limits: USDM },
      1,
    );
    await otherHost.all;
    expect([lead.done(), follower.done(), otherHost.done()]).toEqual([0, 0, 1]);

    await clock.advance(6999);
    expect([lead.done(), follower.done()]).toEqual([0, 0]);
    await clock.advance(1);
    await Promise.all([lead.all, follower.all]);
    expect([lead.done(), follower.done()]).toEqual([1, 1]);
  });

  it("pauses only the account that hit its own limit (Binance -1015, Bitget's per-UID caps)", async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    budget.pause('binance-spot-prod', 'f1', { scope: 'account', untilMs: clock.now() + 10_000 });
    expect(budget.pausedUntil('binance-spot-prod')).toBeUndefined();
    expect(budget.pausedUntil('binance-spot-prod', 'f1')).toBe(clock.now() + 10_000);

    const paused = start(budget, spotRequest('POST /api/v3/order', 'f1'), 1);
    const free = start(budget, spotRequest('POST /api/v3/order', 'f2'), 1);
    await free.all;
    expect([paused.done(), free.done()]).toEqual([0, 1]);
    await clock.advance(10_000);
    await paused.all;
    expect(paused.done()).toBe(1);
  });

  it("keeps Bitget's place-order endpoint to 10 a second per account", async () => {
    const clock = new ManualClock();
    const budget = new RateBudget(clock);
    const place = {
      host: 'bitget-spot-prod',
      limits: BITGET,
      account: 'f2',
      endpoint: 'POST /api/v2/spot/trade/place-order',
      hasSymbol: true,
    };
    const burst = start(budget, place, 12);
    const other = start(budget, { ...place, account: 'f3' }, 10);
    await other.all;
    expect([burst.done(), other.done()]).toEqual([10, 10]);
    await clock.advance(1000);
    await burst.all;
    expect(burst.done()).toBe(12);
  });
});
