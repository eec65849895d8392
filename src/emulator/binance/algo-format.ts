import { str } from '../engine/decimal.ts';
import type { AlgoOrder } from '../engine/types.ts';
import { priceText, qtyText } from './futures-format.ts';

/** A conditional order as /fapi/v1/algoOrder and openAlgoOrders return it. */
export function algoOrderJson(a: AlgoOrder): Record<string, unknown> {
  return {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: a.orderType,
    symbol: a.symbol,
    side: a.side,
    positionSide: a.positionSide,
    timeInForce: a.timeInForce,
    quantity: qtyText(a.symbol, a.quantity),
    algoStatus: a.status,
    actualOrderId: a.orderId === undefined ? '' : String(a.orderId),
    actualPrice: str(a.avgPrice),
    triggerPrice: priceText(a.symbol, a.triggerPrice),
    price: priceText(a.symbol, '0'),
    icebergQuantity: null,
    tpTriggerPrice: '0.00',
    tpPrice: '0.00',
    slTriggerPrice: '0.00',
    slPrice: '0.00',
    tpOrderType: '',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    workingType: a.workingType,
    priceMatch: 'NONE',
    closePosition: a.closePosition,
    priceProtect: a.priceProtect,
    reduceOnly: a.reduceOnly,
    createTime: a.createdAt,
    updateTime: a.updatedAt,
    triggerTime: a.triggeredAt,
    goodTillDate: 0,
  };
}

/** ALGO_UPDATE: the conditional order's life (NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, EXPIRED). */
export function algoUpdate(a: AlgoOrder, now: number): Record<string, unknown> {
  const done = a.orderId !== undefined;
  return {
    e: 'ALGO_UPDATE',
    T: a.updatedAt,
    E: now,
    o: {
      caid: a.clientAlgoId,
      aid: a.algoId,
      at: 'CONDITIONAL',
      o: a.orderType,
      s: a.symbol,
      S: a.side,
      ps: a.positionSide,
      f: a.timeInForce,
      q: qtyText(a.symbol, a.quantity),
      X: a.status,
      ai: done ? String(a.orderId) : '',
      ap: str(a.avgPrice),
      aq: qtyText(a.symbol, a.executedQty),
      act: done ? 'MARKET' : '0',
      tp: priceText(a.symbol, a.triggerPrice),
      p: priceText(a.symbol, '0'),
      V: 'EXPIRE_MAKER',
      wt: a.workingType,
      pm: 'NONE',
      cp: a.closePosition,
      pP: a.priceProtect,
      R: a.reduceOnly,
      tt: a.triggeredAt,
      gtd: 0,
      rm: a.status === 'REJECTED' ? 'Reduce Only reject' : '',
    },
  };
}
