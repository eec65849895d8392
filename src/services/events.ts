import type { Decimal } from 'decimal.js';
import type { Logger } from '../infra/logger.ts';
import type { BalanceLine, ExchangeOrder, ExchangePosition, ExchangeTrade } from '../exchange/types.ts';

export type StreamHealth = 'starting' | 'live' | 'polling' | 'stopped';

/** Where an event was learned: the live stream, or a REST read (catch-up, polling fallback). */
export type EventSource = 'stream' | 'rest';

/** Normalized events every account emits, whatever its exchange. */
export type DeskEvent =
  | { type: 'order'; accountId: string; order: ExchangeOrder; source: EventSource }
  | { type: 'fill'; accountId: string; trade: ExchangeTrade; source: EventSource }
  /** The account's open orders as REST read them at `askedAt` (the catch-up after a gap, the watchdog). */
  | { type: 'open_orders'; accountId: string; orders: ExchangeOrder[]; askedAt: number }
  | { type: 'balance'; accountId: string; balances: BalanceLine[]; source: EventSource }
  | { type: 'positions'; accountId: string; positions: ExchangePosition[]; source: EventSource }
  | { type: 'stream'; accountId: string; health: StreamHealth; reason: string | undefined }
  /** A fill no VP of ours explains, signed (+ grows the side). */
  | { type: 'external_fill'; accountId: string; symbol: string; positionSide: 'LONG' | 'SHORT'; qty: Decimal }
  /** A VP's ledger changed (fill, adjustment); TP/SL orders follow its quantity. */
  | {
      type: 'vp_changed';
      accountId: string;
      vpId: number;
      /** the Fill row that changed it */
      fillId?: number;
      /** false: the VP had no TP/SL state when it changed, so there is nothing to bring in line */
      tpsl?: boolean;
    }
  /** Something a trader should hear about; the alert service (chat) delivers it. */
  | {
      type: 'alert';
      accountId: string | undefined;
      category: AlertCategory;
      severity: 'info' | 'warning' | 'critical';
      key: string;
      params: Record<string, string>;
      /**
       * Params that name another account than `accountId` (a copy alert's leader): a chat whose
       * people may not all see that account gets a neutral word instead of its id.
       */
      names?: Record<string, string>;
    };

export type AlertCategory = 'risk_limit' | 'order_failed' | 'reconciliation' | 'tpsl' | 'stream' | 'account' | 'copy';

export type DeskEventType = DeskEvent['type'];
type EventOf<T extends DeskEventType> = Extract<DeskEvent, { type: T }>;
type Handler<T extends DeskEventType> = (event: EventOf<T>) => void | Promise<void>;

/**
 * The in-process bus between exchange streams and everything that reacts to them (orders,
 * virtual positions, copy engine, alerts). A handler's failure is logged and never reaches the
 * emitter or the other handlers.
 */
export class EventBus {
  private readonly handlers = new Map<DeskEventType, Set<Handler<DeskEventType>>>();

  constructor(private readonly logger: Logger) {}

  on<T extends DeskEventType>(type: T, handler: Handler<T>): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    const h = handler as unknown as Handler<DeskEventType>;
    set.add(h);
    return () => set.delete(h);
  }

  emit(event: DeskEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) {
      try {
        const result = handler(event);
        if (result instanceof Promise) result.catch((err: unknown) => this.report(event, err));
      } catch (err) {
        this.report(event, err);
      }
    }
  }

  private report(event: DeskEvent, err: unknown): void {
    this.logger.error({ err, event: event.type, account: event.accountId }, 'event handler failed');
  }
}
