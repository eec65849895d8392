import type { CommandEntry } from '../types.ts';
import { accountsCommand } from './accounts.ts';
import { alertsGroup } from './alerts.ts';
import { balanceCommand } from './balance.ts';
import { cancelCommand } from './cancel.ts';
import { copyGroup, eventsCommand, pauseCommand, resumeCommand } from './copy.ts';
import { followersGroup } from './followers.ts';
import { helpCommand } from './help.ts';
import { langCommand } from './lang.ts';
import { orderCommand } from './order.ts';
import { ordersCommand } from './orders.ts';
import { dailyCommand, monthlyCommand, pnlCommand, weeklyCommand } from './pnl.ts';
import { positionsCommand } from './positions.ts';
import { reconcileGroup } from './reconcile.ts';
import { riskCommand } from './risk.ts';
import { performanceCommand, tradesCommand } from './trades.ts';
import { vpGroup } from './vp.ts';
import { whoamiCommand } from './whoami.ts';

/** Every command hedgestack answers, in the order /help lists them. Declare new ones here once. */
export const COMMANDS: readonly CommandEntry[] = [
  helpCommand,
  whoamiCommand,
  langCommand,
  accountsCommand,
  balanceCommand,
  positionsCommand,
  pnlCommand,
  dailyCommand,
  weeklyCommand,
  monthlyCommand,
  tradesCommand,
  performanceCommand,
  orderCommand,
  vpGroup,
  reconcileGroup,
  ordersCommand,
  cancelCommand,
  riskCommand,
  alertsGroup,
  copyGroup,
  followersGroup,
  pauseCommand,
  resumeCommand,
  eventsCommand,
];
