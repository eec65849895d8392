import type { Config } from '../config/index.ts';
import type { Logger } from '../infra/logger.ts';
import type { Db } from '../infra/db/client.ts';
import type { ExchangeClients } from '../exchange/clients.ts';
import type { AccountService } from './accounts.ts';
import type { AlertService } from './alerts/alert-service.ts';
import type { AuditLog } from './audit.ts';
import type { CopyEngine } from './copy/copy-engine.ts';
import type { EventBus } from './events.ts';
import type { IdentityService } from './identity.ts';
import type { AccountCodes } from './orders/account-codes.ts';
import type { FillIngestion } from './orders/fill-ingestion.ts';
import type { OrderService } from './orders/order-service.ts';
import type { OrderTracker } from './orders/order-tracker.ts';
import type { RiskService } from './orders/risk-service.ts';
import type { VirtualPositions } from './orders/virtual-positions.ts';
import type { PaperExchange } from './paper-exchange.ts';
import type { PeopleService } from './people.ts';
import type { ReconciliationMonitor } from './reconciliation-monitor.ts';
import type { ReconciliationService } from './reconciliation.ts';
import type { ReportService } from './reports.ts';
import type { StreamSupervisor } from './streams/supervisor.ts';
import type { TpslService } from './tpsl/tpsl-service.ts';
import type { Vault } from './vault/vault.ts';
import type { InDoubtSweep } from './in-doubt-sweep.ts';
import type { OpenOrders } from './open-orders.ts';

/** The domain services every command and adapter reaches through; built once in src/app.ts. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  vault: Vault;
  accounts: AccountService;
  identity: IdentityService;
  /** Users, roles, account grants and linked chat ids (the web admin's People page). */
  people: PeopleService;
  audit: AuditLog;
  bus: EventBus;
  alerts: AlertService;
  exchanges: ExchangeClients;
  streams: StreamSupervisor;
  codes: AccountCodes;
  vps: VirtualPositions;
  fills: FillIngestion;
  risk: RiskService;
  /** The one writer of order rows: follows every order to its end. */
  tracker: OrderTracker;
  orders: OrderService;
  /** An account's open, conditional and desk-watched orders, with their VPs; cancelled from here. */
  openOrders: OpenOrders;
  /** The copy engine (seed 001): leader events fanned out to the followers. */
  copy: CopyEngine;
  /** Orders and copies whose answer never came, looked up again while running. */
  inDoubt: InDoubtSweep;
  tpsl: TpslService;
  reconciliation: ReconciliationService;
  /** PnL, PnL per period, fill history and performance: the one source of the figures chat and the admin show. */
  reports: ReportService;
  /** The scheduled reconciliation (RECONCILE_CRON); `run()` is one pass. */
  reconcileMonitor: ReconciliationMonitor;
  /** The in-process paper exchange; present in paper mode only. */
  paper: PaperExchange | undefined;
}
