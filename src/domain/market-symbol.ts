/** 'BTC/USDT' → BTC, USDT; 'BTC/USDT:USDT' → BTC, USDT (the settle currency is not the quote's name). */
export function assetsOf(symbol: string): { base: string; quote: string } {
  const [base = '', rest = ''] = symbol.split('/');
  return { base, quote: rest.split(':')[0] ?? '' };
}
