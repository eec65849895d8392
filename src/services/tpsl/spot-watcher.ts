import type { Logger } from '../../infra/logger.ts';
import { SPOT_TPSL_POLL_MS, type TpslService } from './tpsl-service.ts';

/**
 * The clock of spot watch-and-send: every few seconds, one pass of TpslService.checkSpotPrices.
 * A pass still running when the next is due is not doubled.
 */
export class SpotTpslWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly tpsl: TpslService,
    private readonly logger: Logger,
    private readonly intervalMs = SPOT_TPSL_POLL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.tpsl
      .checkSpotPrices()
      .catch((err: unknown) => this.logger.error({ err }, 'spot TP/SL pass failed'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
