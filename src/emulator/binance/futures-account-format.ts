import type { EngineContext } from '../engine/context.ts';
import { dec, str } from '../engine/decimal.ts';
import {
  futuresSummary,
  leverageOf,
  MAINT_MARGIN_RATE,
  MARGIN_ASSET,
  type PositionMetrics,
} from '../engine/futures-margin.ts';
import type { Account } from '../engine/types.ts';
import { money, qtyText } from './futures-format.ts';

function positionRiskRow(m: PositionMetrics, version: 2 | 3): Record<string, unknown> {
  const p = m.position;
  const base = {
    symbol: p.symbol,
    positionSide: p.positionSide,
    positionAmt: qtyText(p.symbol, p.amount),
    entryPrice: str(p.entryPrice),
    breakEvenPrice: str(p.entryPrice),
    markPrice: money(str(m.markPrice)),
    unRealizedProfit: money(str(m.unrealized)),
    liquidationPrice: '0',
    isolatedMargin: '0',
    notional: money(str(m.notional)),
    isolatedWallet: '0',
    updateTime: p.updatedAt,
  };
  if (version === 2) {
    return {
      ...base,
      leverage: String(m.leverage),
      maxNotionalValue: '80000000',
      marginType: 'cross',
      isAutoAddMargin: 'false',
      isolated: false,
      adlQuantile: 0,
    };
  }
  return {
    ...base,
    marginAsset: MARGIN_ASSET,
    initialMargin: money(str(m.initialMargin)),
    maintMargin: money(str(m.maintMargin)),
    positionInitialMargin: money(str(m.initialMargin)),
    openOrderInitialMargin: money(str(m.openOrderInitialMargin)),
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
  };
}

/** v3 lists positions that are open; v2 lists every position row the account has. */
export function positionRiskJson(ctx: EngineContext, account: Account, version: 2 | 3, symbol?: string): unknown[] {
  return futuresSummary(ctx, account)
    .positions.filter(
      (m) =>
        (symbol === undefined || m.position.symbol === symbol) && (version === 2 || !dec(m.position.amount).isZero()),
    )
    .map((m) => positionRiskRow(m, version));
}

export function futuresAccountJson(ctx: EngineContext, account: Account, version: 2 | 3): Record<string, unknown> {
  const s = futuresSummary(ctx, account);
  const initialMargin = s.positionInitialMargin.add(s.openOrderInitialMargin);
  const assets = Object.entries(account.futures.wallet).map(([asset, wallet]) => {
    const isMargin = asset === MARGIN_ASSET;
    const pick = (value: string): string => money(isMargin ? value : '0');
    return {
      asset,
      walletBalance: money(wallet),
      unrealizedProfit: pick(str(s.unrealized)),
      marginBalance: money(isMargin ? str(s.marginBalance) : wallet),
      maintMargin: pick(str(s.maintMargin)),
      initialMargin: pick(str(initialMargin)),
      positionInitialMargin: pick(str(s.positionInitialMargin)),
      openOrderInitialMargin: pick(str(s.openOrderInitialMargin)),
      crossWalletBalance: money(wallet),
      crossUnPnl: pick(str(s.unrealized)),
      availableBalance: money(isMargin ? str(s.available) : wallet),
      maxWithdrawAmount: money(isMargin ? str(s.available) : wallet),
      marginAvailable: true,
      updateTime: account.futures.walletUpdatedAt,
    };
  });
  const positions = s.positions.map((m) => ({
    symbol: m.position.symbol,
    positionSide: m.position.positionSide,
    positionAmt: qtyText(m.position.symbol, m.position.amount),
    unrealizedProfit: money(str(m.unrealized)),
    isolatedMargin: '0',
    notional: money(str(m.notional)),
    isolatedWallet: '0',
    initialMargin: money(str(m.initialMargin)),
    maintMargin: money(str(m.maintMargin)),
    updateTime: m.position.updatedAt,
    ...(version === 2
      ? {
          leverage: String(m.leverage),
          entryPrice: str(m.position.entryPrice),
          isolated: false,
          maxNotional: '80000000',
        }
      : {}),
  }));
  const totals = {
    totalInitialMargin: money(str(initialMargin)),
    totalMaintMargin: money(str(s.maintMargin)),
    totalWalletBalance: money(str(s.wallet)),
    totalUnrealizedProfit: money(str(s.unrealized)),
    totalMarginBalance: money(str(s.marginBalance)),
    totalPositionInitialMargin: money(str(s.positionInitialMargin)),
    totalOpenOrderInitialMargin: money(str(s.openOrderInitialMargin)),
    totalCrossWalletBalance: money(str(s.wallet)),
    totalCrossUnPnl: money(str(s.unrealized)),
    availableBalance: money(str(s.available)),
    maxWithdrawAmount: money(str(s.available)),
    assets,
    positions,
  };
  if (version === 3) return totals;
  return {
    feeTier: 0,
    feeBurn: false,
    canTrade: account.canTrade,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals,
  };
}

export function futuresBalanceJson(ctx: EngineContext, account: Account): unknown[] {
  const s = futuresSummary(ctx, account);
  return Object.entries(account.futures.wallet).map(([asset, wallet]) => ({
    accountAlias: 'SgsR',
    asset,
    balance: money(wallet),
    crossWalletBalance: money(wallet),
    crossUnPnl: money(asset === MARGIN_ASSET ? str(s.unrealized) : '0'),
    availableBalance: money(asset === MARGIN_ASSET ? str(s.available) : wallet),
    maxWithdrawAmount: money(asset === MARGIN_ASSET ? str(s.available) : wallet),
    marginAvailable: true,
    updateTime: account.futures.walletUpdatedAt,
  }));
}

/** GET /fapi/v1/symbolConfig ("Symbol Configuration"): margin type and leverage per symbol; cross margin only here. */
export function symbolConfigJson(account: Account, symbols: string[]): unknown[] {
  return symbols.map((symbol) => ({
    symbol,
    marginType: 'CROSSED',
    isAutoAddMargin: 'false',
    leverage: leverageOf(account, symbol),
    maxNotionalValue: '80000000',
  }));
}

export function leverageBracketJson(symbols: string[]): unknown[] {
  return symbols.map((symbol) => ({
    symbol,
    notionalCoef: 1.0,
    brackets: [
      {
        bracket: 1,
        initialLeverage: 125,
        notionalCap: 50000,
        notionalFloor: 0,
        maintMarginRatio: Number(MAINT_MARGIN_RATE),
        cum: 0.0,
      },
      {
        bracket: 2,
        initialLeverage: 100,
        notionalCap: 600000,
        notionalFloor: 50000,
        maintMarginRatio: 0.005,
        cum: 50.0,
      },
      {
        bracket: 3,
        initialLeverage: 75,
        notionalCap: 3000000,
        notionalFloor: 600000,
        maintMarginRatio: 0.0065,
        cum: 950.0,
      },
    ],
  }));
}
