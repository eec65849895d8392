import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from './logger.ts';

/**
 * A node-cron job (expression with seconds) that never overlaps itself, its own messages in our
 * log: node-cron writes to the console by default. Its routine chatter goes to debug.
 */
export function scheduleJob(
  expression: string,
  name: string,
  run: Parameters<typeof cron.schedule>[1],
  logger: Logger,
): ScheduledTask {
  return cron.schedule(expression, run, {
    name,
    noOverlap: true,
    logger: {
      info: (message) => logger.debug(message),
      warn: (message) => logger.warn(message),
      error: (message, err) => logger.error({ err: err ?? message }, `${name} job`),
      debug: (message) => logger.debug(String(message)),
    },
  });
}
