import { ConsoleSession } from '../../src/adapters/console/session.ts';
import { CONSOLE_CALLER, type App, type AppOptions } from '../../src/app.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import type { DeskEvent } from '../../src/services/events.ts';
import { startTestApp, type TestApp } from './harness.ts';

/** Stream timings for tests: seconds become tenths, so gaps and reconnects happen quickly. */
export const FAST_STREAMS = {
  watchdogMs: 300,
  pollMs: 200,
  silenceGraceMs: 100,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  reconnectSettleMs: 300,
};

export type AlertEvent = Extract<DeskEvent, { type: 'alert' }>;

/**
 * The paper desk as a trader meets it: the app in paper mode, its emulator at BTC 60000, the
 * console as the local owner, and every alert the desk raises.
 */
export interface PaperDesk {
  desk: TestApp;
  app: App;
  emulator: Emulator;
  console: ConsoleSession;
  alerts: AlertEvent[];
  /** One console line; the reply text. */
  say(line: string): Promise<string>;
  /** A command that asks for confirmation, confirmed with `yes`. Fails if nothing was asked. */
  confirmed(line: string): Promise<{ ask: string; done: string }>;
  /** POST /fapi/v1/order requests the emulator has served so far (all accounts). */
  futuresOrders(): number;
  close(): Promise<void>;
}

export async function startPaperDesk(
  options: { dataDir?: string; streams?: boolean; env?: Record<string, string>; app?: Partial<AppOptions> } = {},
): Promise<PaperDesk> {
  const env = { ...options.env, ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}) };
  const desk = await startTestApp(env, { streamTiming: FAST_STREAMS, ...options.app });
  const paper = desk.app.services.paper;
  if (!paper) throw new Error('paper exchange not running');
  paper.emulator.setPrice('BTCUSDT', '60000');
  if (options.streams) await desk.app.services.streams.start();
  const alerts: AlertEvent[] = [];
  desk.app.services.bus.on('alert', (e) => {
    alerts.push(e);
  });
  const console = new ConsoleSession(desk.app.dispatcher, desk.app.services.identity, CONSOLE_CALLER);
  const say = async (line: string) => (await console.input(line)) ?? '';
  return {
    desk,
    app: desk.app,
    emulator: paper.emulator,
    console,
    alerts,
    say,
    async confirmed(line) {
      const ask = await say(line);
      if (!ask.includes('Type yes')) throw new Error(`no confirmation asked for ${line}: ${ask}`);
      return { ask, done: await say('yes') };
    },
    futuresOrders: () => paper.emulator.requests()['POST /fapi/v1/order'] ?? 0,
    close: () => desk.close(),
  };
}
