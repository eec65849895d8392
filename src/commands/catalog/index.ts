import type { CommandDef } from '../types.ts';
import { accountsCommand } from './accounts.ts';
import { helpCommand } from './help.ts';
import { langCommand } from './lang.ts';
import { whoamiCommand } from './whoami.ts';

/** Every command hedgestack answers, in the order /help lists them. Declare new ones here once. */
export const COMMANDS: readonly CommandDef[] = [helpCommand, whoamiCommand, langCommand, accountsCommand];
