import { z } from 'zod';
import type { Emulator } from './api.ts';
import { isLoopback, sendJson, type HttpCall } from './http.ts';

const decimalText = z.union([z.string(), z.number()]).transform(String);
const balances = z.record(z.string(), decimalText);

const permissionsSchema = z
  .object({
    reading: z.boolean(),
    spotTrading: z.boolean(),
    futuresTrading: z.boolean(),
    withdrawals: z.boolean(),
    ipRestrict: z.boolean(),
  })
  .partial()
  .strict();

const keySchema = z.object({
  apiKey: z.string().min(1),
  secret: z.string().min(1),
  passphrase: z.string().optional(),
  permissions: permissionsSchema.optional(),
});

/** The permissions to change, and optionally which key (default: the account's first key). */
const setPermissionsSchema = permissionsSchema.extend({ apiKey: z.string().min(1).optional() }).strict();

const accountSchema = z.object({
  id: z.string().min(1),
  exchange: z.enum(['binance', 'bitget']),
  apiKey: z.string().min(1),
  secret: z.string().min(1),
  passphrase: z.string().optional(),
  spot: balances.optional(),
  futures: balances.optional(),
  canTrade: z.boolean().optional(),
  demo: z.boolean().optional(),
  hedgeMode: z.boolean().optional(),
  reset: z.boolean().optional(),
  permissions: permissionsSchema.optional(),
});

const faultSchema = z.object({
  accountId: z.string().min(1),
  endpoint: z.string().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  failNext: z
    .object({
      count: z.number().int().positive(),
      httpStatus: z.number().int(),
      code: z.union([z.number(), z.string()]),
      msg: z.string(),
      retryAfterSeconds: z.number().int().positive().optional(),
    })
    .optional(),
  timeoutNext: z.number().int().nonnegative().optional(),
  unknownStatusNext: z.number().int().nonnegative().optional(),
  dropAnswerNext: z.number().int().nonnegative().optional(),
});

const priceSchema = z.object({ symbol: z.string(), price: decimalText });
const pathSchema = z.object({
  symbol: z.string(),
  prices: z.array(decimalText).min(1),
  intervalMs: z.number().int().nonnegative(),
});
const walkSchema = z.object({
  symbols: z.array(z.string()).optional(),
  intervalMs: z.number().int().positive().optional(),
  stepBps: z.number().positive().optional(),
  seed: z.number().int().optional(),
});
const silenceSchema = z.object({ silent: z.boolean() });
const depthSchema = z.object({ symbol: z.string().min(1), qty: decimalText, step: decimalText.optional() });

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function body(call: HttpCall): unknown {
  if (call.rawBody.trim() === '') return {};
  try {
    return JSON.parse(call.rawBody) as unknown;
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ControlError(400, z.prettifyError(result.error));
  return result.data;
}

function requireAccount(emulator: Emulator, id: string): string {
  if (!emulator.hasAccount(id)) throw new ControlError(404, `no account "${id}"`);
  return id;
}

/** Every symbol with limited depth, as `[{symbol, qty, step?}]`. */
function depthList(emulator: Emulator): unknown[] {
  return Object.entries(emulator.depth()).map(([symbol, depth]) => ({ symbol, ...depth }));
}

/**
 * The HTTP control surface for out-of-process users (paper mode, `npm run emulator`, benchmarks):
 * JSON in, JSON out, the same operations as the in-process Emulator API, loopback callers only.
 */
export async function handleControl(emulator: Emulator, call: HttpCall): Promise<void> {
  if (!isLoopback(call.ip)) {
    sendJson(call.res, 403, { error: 'the emulator control surface answers loopback callers only' });
    return;
  }
  try {
    const result = await route(emulator, call);
    sendJson(call.res, 200, result ?? { ok: true });
  } catch (err) {
    const status = err instanceof ControlError ? err.status : 400;
    sendJson(call.res, status, { error: err instanceof Error ? err.message : String(err) });
  }
}

async function route(emulator: Emulator, call: HttpCall): Promise<unknown> {
  const parts = call.path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const [resource, id, action] = parts;
  const is = (method: string, ...shape: (string | undefined)[]): boolean =>
    call.method === method && shape.length === parts.length && shape.every((s, i) => s === undefined || s === parts[i]);

  if (is('GET', 'health')) return { ok: true };
  if (is('GET', 'accounts')) return emulator.accounts();
  if (is('GET', 'prices')) return emulator.prices();
  if (is('GET', 'accounts', undefined) && id !== undefined) {
    requireAccount(emulator, id);
    return { id, balances: emulator.balances(id), positions: emulator.positions(id), keys: emulator.keys(id) };
  }
  if (is('POST', 'accounts', undefined, 'permissions') && id !== undefined) {
    const { apiKey, ...permissions } = parse(setPermissionsSchema, body(call));
    return emulator.setKeyPermissions(requireAccount(emulator, id), permissions, apiKey);
  }
  if (is('POST', 'accounts', undefined, 'keys') && id !== undefined) {
    const key = parse(keySchema, body(call));
    emulator.addKey(requireAccount(emulator, id), key);
    return { keys: emulator.keys(id) };
  }
  if (is('DELETE', 'accounts', undefined, 'keys', undefined) && id !== undefined && parts[3] !== undefined) {
    emulator.removeKey(requireAccount(emulator, id), parts[3]);
    return { keys: emulator.keys(id) };
  }
  if (is('POST', 'accounts')) {
    const spec = parse(accountSchema, body(call));
    emulator.createAccount(spec);
    return { id: spec.id };
  }
  if (is('GET', 'prices', undefined) && id !== undefined) return { symbol: id, price: emulator.price(id) };
  if (is('POST', 'price')) {
    const { symbol, price } = parse(priceSchema, body(call));
    emulator.setPrice(symbol, price);
    return { symbol, price: emulator.price(symbol) };
  }
  if (is('POST', 'path')) {
    const { symbol, prices, intervalMs } = parse(pathSchema, body(call));
    await emulator.playPath(symbol, prices, intervalMs);
    return { symbol, price: emulator.price(symbol) };
  }
  if (is('POST', 'random-walk')) {
    const opts = parse(walkSchema, body(call));
    emulator.startRandomWalk(opts);
    return { ok: true };
  }
  if (is('DELETE', 'random-walk')) {
    emulator.stopRandomWalk();
    return { ok: true };
  }
  if (is('GET', 'depth')) return depthList(emulator);
  if (is('POST', 'depth')) {
    const { symbol, qty, step } = parse(depthSchema, body(call));
    return { symbol, ...emulator.setDepth(symbol, { qty, ...(step === undefined ? {} : { step }) }) };
  }
  if (is('DELETE', 'depth')) {
    emulator.clearDepth();
    return depthList(emulator);
  }
  if (is('DELETE', 'depth', undefined) && id !== undefined) {
    emulator.clearDepth(id);
    return depthList(emulator);
  }
  if (is('POST', 'faults')) {
    const { accountId, ...fault } = parse(faultSchema, body(call));
    emulator.fault(requireAccount(emulator, accountId), fault);
    return { ok: true };
  }
  if (is('DELETE', 'faults')) {
    emulator.clearFaults();
    return { ok: true };
  }
  if (is('DELETE', 'faults', undefined) && id !== undefined) {
    emulator.clearFaults(id);
    return { ok: true };
  }
  if (resource === 'streams' && id !== undefined && call.method === 'POST') {
    requireAccount(emulator, id);
    if (action === 'drop') emulator.dropStreams(id);
    else if (action === 'silence') emulator.silenceStreams(id, parse(silenceSchema, body(call)).silent);
    else throw new ControlError(404, `unknown stream action "${String(action)}"`);
    return { ok: true };
  }
  if (is('POST', 'listen-keys', undefined, 'expire') && id !== undefined) {
    emulator.expireListenKeys(requireAccount(emulator, id));
    return { ok: true };
  }
  throw new ControlError(404, `no control route ${call.method} ${call.path}`);
}
