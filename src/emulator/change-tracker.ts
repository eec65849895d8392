/**
 * Which parts of a plain-JSON object tree changed, by path, without the code that changes it
 * knowing: the tree is handed out behind a Proxy that notes every assignment and delete (object
 * and key) and hands out its nested objects behind proxies too. `take()` turns what changed since
 * the last call into set/delete operations on paths, with each path's current value — the
 * write-ahead log's records (see persistence.ts). The engine keeps no references to state
 * objects between steps (its indexes hold ids), so every change goes through a proxy, or happens
 * inside an object whose path was assigned in the same step (a new order filled at once) and is
 * written whole.
 */

/** Set `path` to `value` ([path, value]), or delete it ([path]). */
export type Op = [path: string[], value: unknown] | [path: string[]];

interface Node {
  target: object;
  parent: Node | undefined;
  key: string;
}

type Taken = { ops: Op[]; upto: number } | { full: true; upto: number };

export class ChangeTracker<T extends object> {
  /** The tree itself: read it for snapshots (no proxies, no cost). */
  readonly root: T;
  /** The tree behind proxies: give this to the code that changes it. */
  readonly state: T;
  private readonly rootNode: Node;
  private readonly nodes = new WeakMap<object, { node: Node; proxy: object }>();
  private readonly targets = new WeakMap<object, object>();
  private dirty = new Map<Node, Set<string>>();
  private count = 0;

  /** `onChange` is told of the first change after each `take()`, synchronously: it should only schedule. */
  constructor(
    root: T,
    private readonly onChange: () => void = () => undefined,
  ) {
    this.root = root;
    this.rootNode = { target: root, parent: undefined, key: '' };
    this.state = this.proxyOf(this.rootNode) as T;
  }

  /** How many changes were made so far (a change counter, for "durable up to"). */
  get changes(): number {
    return this.count;
  }

  get pending(): boolean {
    return this.dirty.size > 0;
  }

  /**
   * What changed since the last call, as operations with current values, or `full` when a change
   * cannot be placed (an object moved to another path): then only a whole snapshot is right.
   */
  take(): Taken {
    const dirty = this.dirty;
    this.dirty = new Map();
    const upto = this.count;
    const ops: Op[] = [];
    for (const [node, keys] of dirty) {
      if (this.coveredByAncestor(node, dirty)) continue;
      const path = this.pathOf(node);
      if (path === undefined) return { full: true, upto };
      const target = node.target as Record<string, unknown>;
      for (const key of keys) ops.push(Object.hasOwn(target, key) ? [[...path, key], target[key]] : [[...path, key]]);
    }
    return { ops, upto };
  }

  /** Forgets what changed (a snapshot just wrote all of it). */
  discard(): number {
    this.dirty = new Map();
    return this.count;
  }

  /** An ancestor's key toward this node changed too: the ancestor's operation writes it whole. */
  private coveredByAncestor(node: Node, dirty: Map<Node, Set<string>>): boolean {
    for (let n = node; n.parent; n = n.parent) if (dirty.get(n.parent)?.has(n.key)) return true;
    return false;
  }

  /** The node's path from the root, if the object is still there. */
  private pathOf(node: Node): string[] | undefined {
    const keys: string[] = [];
    for (let n = node; n.parent; n = n.parent) keys.push(n.key);
    keys.reverse();
    let at: unknown = this.root;
    for (const key of keys) at = (at as Record<string, unknown> | undefined)?.[key];
    return at === node.target ? keys : undefined;
  }

  private mark(node: Node, key: string): void {
    let keys = this.dirty.get(node);
    if (!keys) {
      keys = new Set();
      const first = this.dirty.size === 0;
      this.dirty.set(node, keys);
      if (first) this.onChange();
    }
    keys.add(key);
    this.count++;
  }

  private childOf(parent: Node, key: string, value: object): object {
    const known = this.nodes.get(value);
    if (known?.node.parent === parent && known.node.key === key) return known.proxy;
    return this.proxyOf({ target: value, parent, key });
  }

  private proxyOf(node: Node): object {
    const proxy = new Proxy(node.target, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof key === 'symbol' || typeof value !== 'object' || value === null) return value;
        return this.childOf(node, key, value);
      },
      set: (target, key, value) => {
        (target as Record<PropertyKey, unknown>)[key] = this.unwrap(value);
        if (typeof key !== 'symbol') this.mark(node, key);
        return true;
      },
      deleteProperty: (target, key) => {
        const deleted = Reflect.deleteProperty(target, key);
        if (typeof key !== 'symbol') this.mark(node, key);
        return deleted;
      },
      defineProperty: (target, key, descriptor) => {
        const defined = Reflect.defineProperty(
          target,
          key,
          'value' in descriptor ? { ...descriptor, value: this.unwrap(descriptor.value) } : descriptor,
        );
        if (typeof key !== 'symbol') this.mark(node, key);
        return defined;
      },
    });
    this.nodes.set(node.target, { node, proxy });
    this.targets.set(proxy, node.target);
    return proxy;
  }

  /** The tree holds plain objects only: a proxy read from it (a spread, a filter) is stored as its target. */
  private unwrap(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const target = this.targets.get(value);
    if (target) return target;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const inner = record[key];
      if (typeof inner === 'object' && inner !== null) record[key] = this.unwrap(inner);
    }
    return value;
  }
}
