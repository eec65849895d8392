import { describe, expect, it } from 'vitest';
import {
  DISABLED_IN_ADMIN,
  keyCannotTrade,
  keyRejected,
  PAUSED_IN_ADMIN,
  pausedBy,
} from '../../src/domain/status-reasons.ts';
import { t } from '../../src/i18n/index.ts';

/** An account's reason as a reply shows it: `Account f1 is PAUSED ({{reason}})`-style placeholders. */
const shown = (language: 'en' | 'zh', reason: string) =>
  t(language, 'accounts.status_because', { status: 'PAUSED', reason });

describe('the desk’s own status reasons read in the reader’s language', () => {
  it('every reason the desk writes comes back as a catalog message', () => {
    expect(shown('en', pausedBy('tg 42'))).toBe('PAUSED (paused by tg 42)');
    expect(shown('zh', pausedBy('tg 42'))).toBe('已暂停（由 tg 42 暂停）');
    expect(shown('zh', PAUSED_IN_ADMIN)).toBe('已暂停（在管理后台暂停）');
    expect(shown('zh', DISABLED_IN_ADMIN)).toBe('已暂停（在管理后台停用）');
    expect(shown('en', keyRejected('Binance', ' (-2015)'))).toBe('PAUSED (API key rejected by Binance (-2015))');
    expect(shown('zh', keyRejected('Binance', ' (-2015)'))).toBe('已暂停（Binance 拒绝了 API 密钥 (-2015)）');
    expect(shown('en', keyCannotTrade('usdm', 'Binance'))).toBe(
      'PAUSED (API key cannot trade USDT-M futures on Binance)',
    );
    expect(shown('zh', keyCannotTrade('spot', 'Bitget'))).toBe('已暂停（API 密钥不能在 Bitget 交易现货）');
  });

  it('a reason someone typed in the admin stays as typed', () => {
    expect(shown('zh', 'moving to a new key')).toBe('已暂停（moving to a new key）');
  });
});
