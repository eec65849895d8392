import type { Config } from './config/index.ts';
import { COMMANDS } from './commands/catalog/index.ts';
import { CommandDispatcher } from './commands/dispatcher.ts';
import type { CommandEntry } from './commands/types.ts';
import { looseDirWarning, makePrivateDir } from './infra/data-dir.ts';
import { openDatabase } from './infra/db/client.ts';
import type { Logger } from './infra/logger.ts';
import { AccountService } from './services/accounts.ts';
import { ExchangeClients } from './exchange/clients.ts';
import { AlertService } from './services/alerts/alert-service.ts';
import { AccountAdmin } from './services/admin/account-admin.ts';
import { AuditLog } from './services/audit.ts';
import { CopyEngine, type CopyTiming } from './services/copy/copy-engine.ts';
import { EventBus } from './services/events.ts';
import { IdentityService } from './services/identity.ts';
import type { Services } from './services/index.ts';
import { AccountCodes } from './services/orders/account-codes.ts';
import { OpenOrders } from './services/open-orders.ts';
import { FanOutWindow } from './services/orders/fan-out-window.ts';
import { FillIngestion } from './services/orders/fill-ingestion.ts';
import { OrderService } from './services/orders/order-service.ts';
import { OrderTracker } from './services/orders/order-tracker.ts';
import { RiskService } from './services/orders/risk-service.ts';
import { VirtualPositions } from './services/orders/virtual-positions.ts';
import { PaperExchange } from './services/paper-exchange.ts';
import { PeopleService } from './services/people.ts';
import { ReconciliationMonitor } from './services/reconciliation-monitor.ts';
import { ReportService } from './services/reports.ts';
import { ReconciliationService } from './services/reconciliation.ts';
import { seedPaperAccounts } from './services/seed.ts';
import { StreamSupervisor } from './services/streams/supervisor.ts';
import { SpotTpslWatcher } from './services/tpsl/spot-watcher.ts';
import { TpslService } from './services/tpsl/tpsl-service.ts';
import type { WatcherTiming } from './services/streams/account-watcher.ts';
import { loadMasterKeys } from './services/vault/master-key.ts';
import { finishInterruptedRotation } from './services/vault/rotation.ts';
import { Vault } from './services/vault/vault.ts';
import { InDoubtSweep } from './services/in-doubt-sweep.ts';

/** The console's own identity: the person at the machine is the local owner. */
export const CONSOLE_CALLER = { platform: 'console', externalId: 'local', displayName: 'local console' } as const;

export interface App {
  config: Config;
  services: Services;
  dispatcher: CommandDispatcher;
  /** Starts what runs in the background: account streams, the paper market, spot TP/SL, the reconciliation job. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  commands?: readonly CommandEntry[];
  confirmationTtlMs?: number;
  streamTiming?: Partial<WatcherTiming>;
  copyTiming?: Partial<CopyTiming>;
  /** When the in-doubt sweep runs (node-cron, with seconds); tests run it every second. */
  inDoubtCron?: string;
  /** REST timeout per exchange request (ccxt's default, 10 s, when unset); tests shorten it. */
  exchangeTimeoutMs?: number;
}

/** Builds every service over one database. The caller must hold the data-directory lock. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  makePrivateDir(config.dataDir);
  const loose = looseDirWarning(config.dataDir);
  if (loose) logger.warn({ dataDir: config.dataDir }, loose);
  const keys = loadMasterKeys(config.dataDir, config.masterKey);
  const { db, migrations } = await openDatabase(config.databaseFile, {
    onCheckpointProblem: (message) => logger.warn(message),
  });
  if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'database migrated');
  if (migrations.modified.length > 0) {
    logger.warn(
      { modified: migrations.modified },
      'applied migrations were edited afterwards; the database keeps the old version',
    );
  }
  const vault = new Vault(keys);
  const rotation = await finishInterruptedRotation(db, vault, keys, config.dataDir);
  if (rotation) logger.warn(rotation, 'finished a master-key rotation that had been interrupted');

  const accounts = new AccountService(db, vault);
  if (config.mode === 'paper') {
    const seeded = await seedPaperAccounts(db, accounts);
    if (seeded.length > 0) logger.info({ accounts: seeded }, 'paper mode: demo accounts created');
  }
  const paper = config.mode === 'paper' ? await PaperExchange.start(config.dataDir, accounts, logger) : undefined;
  const bus = new EventBus(logger);
  // Alerts listen from the start: nothing raised while the desk comes up is missed.
  const alerts = new AlertService({ db, bus, logger });
  await alerts.start();
  const exchanges = new ExchangeClients({
    accounts,
    logger,
    paper: paper?.urls,
    ...(options.exchangeTimeoutMs === undefined ? {} : { timeoutMs: options.exchangeTimeoutMs }),
  });
  const streams = new StreamSupervisor({
    clients: exchanges,
    bus,
    logger,
    listAccounts: () => accounts.list(),
    ...(options.streamTiming ? { timing: options.streamTiming } : {}),
  });
  exchanges.onAuthFailure((accountId, error) => {
    void streams.unwatch(accountId);
    bus.emit({
      type: 'alert',
      accountId,
      category: 'account',
      severity: 'critical',
      key: 'alerts.account_disabled',
      params: { account: accountId, reason: error.statusReason },
    });
  });
  exchanges.onSymbolTraded((accountId, symbol) => streams.track(accountId, symbol));
  const codes = new AccountCodes(db);
  const vps = new VirtualPositions(db);
  const window = new FanOutWindow();
  const fills = new FillIngestion(db, codes, exchanges, bus, logger);
  window.addFollower(fills);
  fills.listen();
  const tracker = new OrderTracker({ db, exchanges, fills, bus, logger, window });
  tracker.listen();
  const risk = new RiskService(db, bus);
  const orders = new OrderService({ db, accounts, exchanges, codes, vps, risk, tracker, bus, logger });
  const copy = new CopyEngine(
    { db, accounts, exchanges, streams, tracker, window, fills, risk, codes, bus, logger },
    { maxEventAgeMs: config.copyMaxEventAgeMs, ...options.copyTiming },
  );
  const inDoubt = new InDoubtSweep({ tracker, copy, logger }, options.inDoubtCron);
  const tpsl = new TpslService({ db, exchanges, codes, vps, orders, tracker, bus, logger });
  tpsl.listen();
  const openOrders = new OpenOrders({ db, exchanges, codes, orders, tracker, tpsl });
  const spotTpsl = new SpotTpslWatcher(tpsl, logger);
  const reconciliation = new ReconciliationService({ db, exchanges, vps, fills, bus });
  const reconcileMonitor = new ReconciliationMonitor(
    { reconciliation, accounts, bus, logger },
    { cron: config.reconcileCron },
  );

  const services: Services = {
    config,
    logger,
    db,
    vault,
    accounts,
    identity: new IdentityService(db, config.defaultLanguage),
    people: new PeopleService(db),
    audit: new AuditLog(db),
    bus,
    exchanges,
    streams,
    codes,
    vps,
    fills,
    risk,
    tracker,
    orders,
    openOrders,
    copy,
    inDoubt,
    tpsl,
    reconciliation,
    reconcileMonitor,
    reports: new ReportService({ db, exchanges, vps }),
    alerts,
    paper,
  };
  await bootstrapOwners(services);
  const dispatcher = new CommandDispatcher(options.commands ?? COMMANDS, services, {
    ...(options.confirmationTtlMs ? { confirmationTtlMs: options.confirmationTtlMs } : {}),
  });
  return {
    config,
    services,
    dispatcher,
    async start() {
      paper?.startMarket();
      // Demo accounts trade on the built-in emulator: their keys are read at once, so the admin
      // never says "never verified" about them.
      const paperKeys = await new AccountAdmin(services).verifyPaperAccounts();
      if (paperKeys.verified.length > 0) logger.info({ accounts: paperKeys.verified }, 'paper accounts verified');
      if (paperKeys.refused.length > 0) logger.warn({ refused: paperKeys.refused }, 'paper account keys refused');
      await streams.start();
      // Orders a crash or a timeout left without an answer: look each up by its client id.
      const recovered = await tracker.recover();
      if (recovered.length > 0)
        logger.info({ orders: recovered.map((o) => o.clientOrderId) }, 'unresolved orders looked up');
      // Copy intents a crash left open: each looked up by its client id, finished or failed.
      await copy.start();
      // From now on, orders and copies whose answer never comes are looked up while running.
      inDoubt.start();
      // TP/SL orders checked against the exchange: what a restart may have left half-replaced.
      await tpsl.resyncAll();
      spotTpsl.start();
      reconcileMonitor.start();
    },
    async close() {
      alerts.stop();
      await reconcileMonitor.stop();
      await inDoubt.stop();
      await copy.stop();
      await spotTpsl.stop();
      await streams.stop();
      await exchanges.close();
      await paper?.stop();
      await db.$disconnect();
    },
  };
}

async function bootstrapOwners({ identity, config }: Services): Promise<void> {
  await identity.ensureOwner(CONSOLE_CALLER.platform, CONSOLE_CALLER.externalId, 'local owner');
  for (const id of config.telegram.ownerIds) await identity.ensureOwner('telegram', id, `telegram ${id}`);
  for (const id of config.discord.ownerIds) await identity.ensureOwner('discord', id, `discord ${id}`);
}
