import path from 'node:path';
import { Eta } from 'eta';

export const VIEWS_DIR = path.resolve(import.meta.dirname, '../../../views');

/** The pages of the navigation bar, in order: key (for `it.page`), path, label. */
export const NAV = [
  { page: 'accounts', path: '/accounts', label: 'Accounts' },
  { page: 'people', path: '/people', label: 'People' },
  { page: 'alerts', path: '/alerts', label: 'Alerts' },
  { page: 'copy', path: '/copy', label: 'Copy' },
  { page: 'audit', path: '/audit', label: 'Audit' },
] as const;

/**
 * Eta over views/, auto-escaping every `<%= %>` (the raw `<%~ %>` is kept for the layout's
 * `it.body`, which eta itself produced). Templates are cached; `rmWhitespace` off so <pre> stays.
 */
export function createViewEngine(): Eta {
  return new Eta({ views: VIEWS_DIR, autoEscape: true, cache: process.env['NODE_ENV'] !== 'development' });
}
