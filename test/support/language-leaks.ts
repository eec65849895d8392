import { argShapes } from '../../src/commands/args.ts';
import { leafCommands, type CommandEntry } from '../../src/commands/types.ts';
import { loadCatalog } from '../../src/i18n/index.ts';
import { ALERT_CATEGORIES } from '../../src/services/alerts/alert-settings.ts';

/**
 * What a Chinese reply may still hold in Latin letters: names of things (exchanges, platforms,
 * assets, settings) and the words a trader types (commands, argument names, choices) where the
 * reply shows them as something to type.
 */
const PROPER_NOUNS = [
  'Binance',
  'binance',
  'Bitget',
  'bitget',
  'Telegram',
  'Discord',
  'API',
  'ID',
  'id',
  'IP',
  'UTC',
  'REST',
  'NTP',
  'TLS',
  'DNS',
  'cookie',
  'secret',
  'passphrase',
  'hedgestack',
  'ccxt',
  'Authorization',
  'Bearer',
];
const ASSETS = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'SOL', 'DOGE', 'EUR'];

/**
 * Words that name a state or a kind of thing (a side, an order type, a status). In a Chinese
 * reply they are translated; they may appear in English only where the reply shows them as
 * something to type — in a command line, a usage, a choice list, or explained right after
 * (`buy（买）`).
 */
export const DISPLAY_WORDS = new Set([
  'buy',
  'sell',
  'long',
  'short',
  'LONG',
  'SHORT',
  'BUY',
  'SELL',
  'market',
  'limit',
  'open',
  'closed',
  'canceled',
  'cancelled',
  'expired',
  'rejected',
  'filled',
  'NEW',
  'FILLED',
  'PARTIALLY_FILLED',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
  'UNKNOWN',
  'ACTIVE',
  'PAUSED',
  'DISABLED',
  'spot',
  'usdm',
  'paper',
  'testnet',
  'demo',
  'prod',
  'share',
  'ratio',
  'info',
  'warning',
  'critical',
]);

interface Allowed {
  /** Typed words: command and subcommand names, argument names, choices, yes/no/all/off. */
  literals: Set<string>;
  /** English fragments of the en catalog that zh does not share. */
  sentences: string[];
}

/** `names`: what the desk's data calls things (account ids and names, people): shown as they are. */
export function allowedWords(entries: readonly CommandEntry[], names: readonly string[]): Allowed {
  const literals = new Set<string>(['yes', 'no', 'all', 'off', 'default', ...PROPER_NOUNS, ...ASSETS, ...names]);
  for (const category of ALERT_CATEGORIES) literals.add(category);
  for (const entry of entries) literals.add(entry.name);
  for (const def of leafCommands(entries)) {
    for (const word of def.name.split(' ')) literals.add(word);
    for (const arg of argShapes(def)) {
      literals.add(arg.name);
      for (const choice of arg.choices ?? []) literals.add(choice);
    }
  }
  return { literals, sentences: englishSentences() };
}

/** Static text of every en message (between placeholders) of three words or more, unless zh has it too. */
function englishSentences(): string[] {
  const en = loadCatalog('en');
  const zh = loadCatalog('zh');
  const out = new Set<string>();
  for (const [key, text] of en) {
    const own = zh.get(key) ?? '';
    for (const part of text.split(/\{\{\s*\w+\s*\}\}|\n/)) {
      const fragment = part.replace(/^[\s.,:;!?()"'“”‘’—–-]+|[\s.,:;!?()"'“”‘’—–-]+$/g, '');
      const words = withoutLiteralSpans(fragment).match(/[A-Za-z]{2,}/g) ?? [];
      if (words.length >= 3 && fragment.length >= 12 && !own.includes(fragment)) out.add(fragment);
    }
  }
  return [...out];
}

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

/** Spans that show what to type or what the trader typed: removed before prose is read. */
function withoutLiteralSpans(text: string): string {
  return (
    text
      // Echoed input: “-1”, "nosuch".
      .replace(/“[^”]*”|"[^"\n]*"/g, ' ')
      // Usage and placeholders: <account>, [symbol], <buy|sell>.
      .replace(/<[^<>\n]*>|\[[^[\]\n]*\]/g, ' ')
      // A command line: `/vp list sub_a closed`, up to the next Chinese text or line end.
      .replace(/\/[a-z]+(?:[ \t]+[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+)*/g, ' ')
  );
}

/**
 * The English a zh reply carries: catalog sentences, runs of English words (zod's and ccxt's
 * texts), and display words (`buy`, `LONG`, `FILLED`) in prose. What the trader typed in `line`
 * (a VP's name, an unknown account) may come back as typed, unless it names a side or a status.
 */
export function englishLeaks(text: string, allowed: Allowed, line = ''): string[] {
  const typed = line.split(/[\s=]+/).filter((w) => !DISPLAY_WORDS.has(w));
  // A long value comes back cut (`xxxx…`); a word with `_` is an identifier (`order_notional`).
  const known = (word: string) =>
    allowed.literals.has(word) ||
    word.includes('_') ||
    typed.some((w) => w === word || (word.length >= 20 && w.startsWith(word)));
  const leaks = allowed.sentences.filter((s) => text.includes(s)).map((s) => `catalog: ${s}`);
  const prose = withoutLiteralSpans(text);
  for (const m of prose.matchAll(/[A-Za-z][A-Za-z']*(?:[ \t,]+[A-Za-z][A-Za-z']*)+/g)) {
    const foreign = m[0].split(/[ \t,]+/).filter((w) => !known(w) && !DISPLAY_WORDS.has(w));
    if (foreign.length >= 2) leaks.push(`words: ${m[0]}`);
  }
  for (const m of prose.matchAll(/(?<![\w/=.:#@•-])[A-Za-z][A-Za-z_]*(?![\w/=:@-])/g)) {
    const word = m[0];
    const at = m.index;
    if (DISPLAY_WORDS.has(word) ? !shownAsLiteral(prose, at, word.length) : word.length > 1 && !known(word)) {
      leaks.push(`word: ${word}`);
    }
  }
  return [...new Set(leaks)];
}

/**
 * A display word shown as something to type: in a choice list (`buy | sell`, `(closed)`), as the
 * name of a help line (`  side （可选）:`), or explained right after (`buy（买）`, `reduce：`).
 */
function shownAsLiteral(prose: string, at: number, length: number): boolean {
  const before = prose.slice(Math.max(0, at - 3), at);
  const after = prose.slice(at + length, at + length + 6);
  return (
    /[|(（、]\s*$|, $/.test(before) ||
    /^\s*[|),]/.test(after) ||
    /^[（：、]/.test(after) ||
    (/：$/.test(before) && /^[。，]/.test(after)) ||
    (/^\s*$/.test(prose.slice(prose.lastIndexOf('\n', at) + 1, at)) && /^\s*(（|:)/.test(after))
  );
}

/** An English reply holds no Chinese. */
export function chineseIn(text: string): string[] {
  return (text.match(/./gsu) ?? []).filter((ch) => CJK.test(ch) && !'，。：；（）“”、·'.includes(ch));
}
