import { describe, expect, it } from 'vitest';
import { argShapes } from '../src/commands/args.ts';
import { COMMANDS } from '../src/commands/catalog/index.ts';
import { descriptionKeyOf, leafCommands } from '../src/commands/types.ts';
import { LANGUAGES, hasMessage, loadCatalog, normalizeLanguage, placeholders, t } from '../src/i18n/index.ts';

describe('locales', () => {
  const en = loadCatalog('en');

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the keys and placeholders of en', (language) => {
    const other = loadCatalog(language);
    expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of en) expect(placeholders(other.get(key) ?? ''), key).toEqual(placeholders(text));
  });

  it('every command and argument description exists', () => {
    for (const def of leafCommands(COMMANDS)) {
      expect(hasMessage(descriptionKeyOf(def)), descriptionKeyOf(def)).toBe(true);
      for (const arg of argShapes(def)) expect(hasMessage(arg.descriptionKey), arg.descriptionKey).toBe(true);
      expect(hasMessage(`roles.${def.role}`)).toBe(true);
    }
  });

  it('fills placeholders and falls back to English, then to the key', () => {
    expect(t('zh', 'errors.usage', { usage: '/lang <en|zh>' })).toBe('用法：/lang <en|zh>');
    expect(t('en', 'no.such.key')).toBe('no.such.key');
  });

  it('maps platform locales to our languages', () => {
    expect(normalizeLanguage('zh-hans')).toBe('zh');
    expect(normalizeLanguage('zh-CN')).toBe('zh');
    expect(normalizeLanguage('en-US')).toBe('en');
    expect(normalizeLanguage('fr')).toBeUndefined();
  });
});
