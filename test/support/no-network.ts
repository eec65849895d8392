import net from 'node:net';

/**
 * Every test runs with outbound connections limited to this machine: a connect to anything but
 * loopback or a Unix socket throws, so no test can reach a real exchange or chat platform.
 */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied below with the socket as `this`
const original = net.Socket.prototype.connect;

function targetOf(args: unknown[]): { host?: string; path?: string } {
  const [first, second] = args;
  if (Array.isArray(first)) return targetOf(first as unknown[]);
  if (typeof first === 'object' && first !== null) return first;
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
  return { host: typeof second === 'string' ? second : 'localhost' };
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const target = targetOf(args);
  if (!target.path && !LOOPBACK.test(target.host ?? 'localhost')) {
    throw new Error(`test tried to leave the machine: connect to ${String(target.host)}`);
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
};
