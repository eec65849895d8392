import type { Router } from 'express';
import type { WebContext } from '../context.ts';
import * as accounts from './accounts.ts';
import * as alerts from './alerts.ts';
import * as audit from './audit.ts';
import * as copy from './copy.ts';
import * as people from './people.ts';

/** A page of the admin: registers its routes (all behind login and CSRF) on the router it is given. */
export interface PageModule {
  register(router: Router, web: WebContext): void;
}

/** Every page module, one line each; the nav bar is in src/adapters/web/render.ts (NAV). */
export const PAGES: readonly PageModule[] = [accounts, people, alerts, copy, audit];
