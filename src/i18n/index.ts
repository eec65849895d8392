import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MessageParams } from '../domain/errors.ts';
import { reasonMessage } from '../domain/status-reasons.ts';
import { termKeys } from './terms.ts';

export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LOCALES_DIR = path.resolve(import.meta.dirname, '../../locales');

type Catalog = Map<string, string>;

/** Flattens `{a: {b: "x"}}` to `a.b → x`. */
export function flattenCatalog(tree: unknown, prefix = '', out: Catalog = new Map()): Catalog {
  if (typeof tree === 'string') {
    out.set(prefix, tree);
  } else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) flattenCatalog(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

export function loadCatalog(language: Language, dir = LOCALES_DIR): Catalog {
  return flattenCatalog(JSON.parse(readFileSync(path.join(dir, `${language}.json`), 'utf8')));
}

const catalogs: Record<Language, Catalog> = { en: loadCatalog('en'), zh: loadCatalog('zh') };

export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();
}

export function hasMessage(key: string): boolean {
  return catalogs.en.has(key);
}

/** Translates a key; a missing key falls back to English, then to the key itself. */
export function t(language: Language, key: string, params: MessageParams = {}): string {
  const text = catalogs[language].get(key) ?? catalogs.en.get(key) ?? key;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    name in params ? termOf(language, name, params) : whole,
  );
}

/**
 * A placeholder's value as the reply shows it: a side, market or status in the reply's language.
 * A `reason` may be a message of its own — an account's status reason the desk wrote, or a message
 * key whose values travel beside it (an alert carries its error's key and params) — and reads in
 * the reply's language too.
 */
function termOf(language: Language, placeholder: string, params: MessageParams): string {
  const value = String(params[placeholder]);
  if (placeholder === 'reason') {
    const own = reasonMessage(value);
    if (own) return t(language, own.key, own.params);
    if (catalogs.en.has(value)) {
      const { reason: _reason, ...rest } = params;
      return t(language, value, rest);
    }
  }
  for (const key of termKeys(placeholder, value)) {
    const term = catalogs[language].get(key) ?? catalogs.en.get(key);
    if (term !== undefined) return term;
  }
  return value;
}

/** A side, market or status (`buy`, `usdm`, `FILLED`) in the reply's language; as given when it has no term. */
export function term(translate: Translate, group: string, value: string): string {
  const key = `terms.${group}.${value}`;
  return hasMessage(key) ? translate(key) : value;
}

/** A value as a placeholder of that name shows it: `role` `owner` → "所有者"; as given when it has no term. */
export function placeholderTerm(translate: Translate, placeholder: string, value: string): string {
  const key = termKeys(placeholder, value).find(hasMessage);
  return key === undefined ? value : translate(key);
}

/** Maps platform locales (`zh-hans`, `zh-CN`, `en-US`) to a language we speak. */
export function normalizeLanguage(value: string | null | undefined): Language | undefined {
  const lower = value?.toLowerCase();
  if (!lower) return undefined;
  if (lower === 'zh' || lower.startsWith('zh-') || lower.startsWith('zh_')) return 'zh';
  if (lower === 'en' || lower.startsWith('en-') || lower.startsWith('en_')) return 'en';
  return undefined;
}

export type Translate = (key: string, params?: MessageParams) => string;

export function translator(language: Language): Translate {
  return (key, params) => t(language, key, params);
}
