import type { AlgoOrder, FuturesOrder, FuturesTrade, SpotOrder, SpotTrade } from './types.ts';

export type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

/**
 * What happened inside the engine, in the order it happened. Stream layers translate these into
 * executionReport / ORDER_TRADE_UPDATE / Bitget pushes. (Persistence does not listen: it sees every
 * change to the state itself, see change-tracker.ts.)
 * Orders are copies taken at the moment of the event, so later fills do not rewrite history.
 */
export type EngineEvent =
  | {
      kind: 'spotOrder';
      accountId: string;
      order: SpotOrder;
      execution: ExecutionType;
      trade?: SpotTrade;
      /** A cancel: the cancel request's own client id (Binance's newClientOrderId of DELETE /api/v3/order). */
      cancelClientOrderId?: string;
    }
  | { kind: 'spotBalance'; accountId: string; assets: string[]; time: number }
  | { kind: 'futuresOrder'; accountId: string; order: FuturesOrder; execution: ExecutionType; trade?: FuturesTrade }
  | { kind: 'futuresAccount'; accountId: string; assets: string[]; positionKeys: string[]; time: number }
  | { kind: 'algoOrder'; accountId: string; algo: AlgoOrder }
  | { kind: 'price'; symbol: string; price: string }
  | { kind: 'changed' };

export type EngineListener = (event: EngineEvent) => void;

export class EngineEvents {
  private readonly listeners = new Set<EngineListener>();

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
