import { permissionsOf } from '../engine/accounts.ts';
import type { ApiKey } from '../engine/types.ts';
import type { BinanceRoute } from './rest.ts';

/**
 * `GET /sapi/v1/account/apiRestrictions` ("Get API Key Permission", USER_DATA, weight 1 per IP):
 * what the key the request is signed with may do, in Binance's field names. Margin, options,
 * transfers, portfolio margin and FIX are not emulated: always false.
 */
export function apiRestrictionsJson(key: ApiKey): Record<string, unknown> {
  const permissions = permissionsOf(key);
  return {
    ipRestrict: permissions.ipRestrict,
    createTime: key.createdAt,
    enableReading: permissions.reading,
    enableSpotAndMarginTrading: permissions.spotTrading,
    enableWithdrawals: permissions.withdrawals,
    enableInternalTransfer: false,
    enableMargin: false,
    enableFutures: permissions.futuresTrading,
    permitsUniversalTransfer: false,
    enableVanillaOptions: false,
    enableFixApiTrade: false,
    enableFixReadOnly: false,
    enablePortfolioMarginTrading: false,
  };
}

/** /sapi/v1: the wallet endpoints the desk uses (the API key's own restrictions). */
export function walletRoutes(): BinanceRoute[] {
  return [
    {
      method: 'GET',
      path: '/sapi/v1/account/apiRestrictions',
      market: 'spot',
      security: 'SIGNED',
      weight: 1,
      handle: ({ key }) => apiRestrictionsJson(key),
    },
  ];
}
