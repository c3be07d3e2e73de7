import { type DocumentNode, getOperationAST, Kind } from "graphql";
import type { Principal } from "../auth/principal.ts";

/**
 * Subscribers of the same operation, variables and principal share one stream of results: each event is
 * executed (and masked, and counted by the plugins) once, and serialized once. A subscriber with a sink
 * (a graphql-ws socket) gets that text written straight to its socket; one without reads the result
 * object from its own iterator.
 *
 * Only streams with nothing of their own at the start can be shared: a later subscriber attached to a
 * running stream sees its events from then on, as it would on a stream of its own. That is `streamEvents`
 * without `lastEventId` (a replay is the subscriber's own); `channelLiveStatus` starts with the current
 * status of each channel, which a running stream has already sent, so it is not shared.
 */
const SHAREABLE_FIELDS = new Set(["streamEvents"]);
/** Arguments that give a stream a start of its own (a replay); an operation that sets one is not shared. */
const OWN_START_ARGUMENTS = new Set(["lastEventId"]);

/** What a subscriber may fall behind its shared stream by before it is ended: the hub's own bound. */
const DEFAULT_BUFFER = 1000;

class SlowSubscriberError extends Error {
  constructor() {
    super("the subscriber fell too far behind and was closed; resubscribe (with lastEventId to resume)");
  }
}

/**
 * The key under which an operation's stream is shared, or undefined if it must have its own. It holds
 * everything that can change a result for this subscriber: the document, the operation, the variables
 * and the whole principal (identity, scopes, tenant, expiry), since field scopes, tenancy and the per-event
 * checks (src/auth/subscriptions.ts) all depend on it. Two different principals never share.
 */
export function shareKey(
  query: string,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  principal: Principal,
): string | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== "subscription") return undefined;
  const [field, ...others] = operation.selectionSet.selections;
  if (!field || others.length > 0 || field.kind !== Kind.FIELD) return undefined;
  if (!SHAREABLE_FIELDS.has(field.name.value) || (field.directives?.length ?? 0) > 0) return undefined;
  for (const arg of field.arguments ?? []) {
    if (!OWN_START_ARGUMENTS.has(arg.name.value)) continue;
    const value = arg.value;
    if (value.kind === Kind.NULL) continue;
    if (value.kind === Kind.VARIABLE && variables?.[value.name.value] == null) continue;
    return undefined;
  }
  const { tenant, expiresAt } = principal;
  return JSON.stringify([
    query,
    operationName ?? null,
    variables ?? null,
    principal.id,
    principal.kind,
    [...principal.scopes].sort(),
    tenant ? [tenant.tagKey, tenant.value] : null,
    expiresAt ?? null,
  ]);
}

/**
 * One result of a shared stream as its sinks see it: serialized at most once (the `payload` of a graphql-ws
 * `next` message), and what sinks make from that text (a socket's framed message, which differs only by
 * subscription id) made at most once per key.
 */
export class SharedResult {
  private json: string | undefined;
  private made: Map<string, unknown> | undefined;

  constructor(readonly value: unknown) {}

  get payload(): string {
    this.json ??= nextPayload(this.value);
    return this.json;
  }

  /** `make(payload, key)`, once per `key` for this result: sinks writing the same bytes share them. */
  derive<T>(key: string, make: (payload: string, key: string) => T): T {
    this.made ??= new Map();
    if (this.made.has(key)) return this.made.get(key) as T;
    const value = make(this.payload, key);
    this.made.set(key, value);
    return value;
  }
}

/**
 * Where a subscriber's results are written directly, bypassing its iterator: a socket. `write` gets each
 * result (its text made once for all sinks); `backlog` is how many writes have not yet reached the
 * socket, held against the same bound as an iterator's queue.
 */
export interface Sink {
  write(result: SharedResult): void;
  backlog(): number;
}

/**
 * The JSON of a result as graphql-ws sends it in a `next` message's payload: the result without `errors`,
 * then `errors` (each `toJSON()`) if there are any, so that a direct write is byte-for-byte what graphql-ws
 * would have sent.
 */
export function nextPayload(result: unknown): string {
  const { errors, ...rest } = result as { errors?: ReadonlyArray<{ toJSON?: () => unknown }> };
  return JSON.stringify(errors ? { ...rest, errors: errors.map((e) => (e.toJSON ? e.toJSON() : e)) } : rest);
}

interface Entry {
  key: string;
  source: AsyncIterator<unknown>;
  listeners: Set<Listener>;
  ended: boolean;
}

export interface SharedStreamStats {
  /** Streams running, each one execution per event. */
  streams: number;
  /** Subscribers reading them. */
  subscribers: number;
  /** Results taken from the streams (executions), since start. */
  executions: number;
  /** Results handed to subscribers, since start. */
  deliveries: number;
}

/** The running shared streams of one transport. */
export class SharedStreams {
  private readonly entries = new Map<string, Entry>();
  private executions = 0;
  private deliveries = 0;

  constructor(private readonly bufferLimit = DEFAULT_BUFFER) {}

  /**
   * The stream this subscriber reads. `own` is the stream its operation started (so that every check
   * of the start ran for it): it becomes the shared one if none runs under `key`, else it is ended at once
   * (`joined`: this subscriber reads a stream another one started).
   */
  join(
    key: string,
    own: AsyncIterator<unknown>,
    sink?: Sink,
  ): { stream: AsyncIterableIterator<unknown>; joined: boolean } {
    let entry = this.entries.get(key);
    const joined = entry !== undefined && !entry.ended;
    if (entry && joined) {
      void own.return?.();
    } else {
      entry = { key, source: own, listeners: new Set(), ended: false };
      this.entries.set(key, entry);
      void this.pump(entry);
    }
    const listener = new Listener(this.bufferLimit, (l) => this.leave(entry, l), sink);
    entry.listeners.add(listener);
    return { stream: listener, joined };
  }

  stats(): SharedStreamStats {
    let subscribers = 0;
    for (const entry of this.entries.values()) subscribers += entry.listeners.size;
    return {
      streams: this.entries.size,
      subscribers,
      executions: this.executions,
      deliveries: this.deliveries,
    };
  }

  private async pump(entry: Entry): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      for (;;) {
        const step = await entry.source.next();
        if (step.done || entry.ended) break;
        this.executions += 1;
        // Serialized at most once, for all the sinks, and only if one reads this stream.
        const result = new SharedResult(step.value);
        for (const listener of entry.listeners) {
          if (listener.push(result)) this.deliveries += 1;
        }
      }
    } catch (error) {
      failure = { error };
    }
    this.end(entry);
    for (const listener of [...entry.listeners]) listener.finish(failure);
    entry.listeners.clear();
  }

  private leave(entry: Entry, listener: Listener): void {
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0 || entry.ended) return;
    // The last subscriber left: the stream (its hub subscription) ends now, not at its next event.
    this.end(entry);
    void entry.source.return?.();
  }

  private end(entry: Entry): void {
    entry.ended = true;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }
}

/**
 * One subscriber's view of a shared stream: its own queue (or its sink's backlog), bounded, so that a slow
 * socket slows only itself. With a sink, the iterator yields nothing: it settles when the stream ends, fails
 * or this subscriber is ended, so the transport sends `complete` or `error` after the last written result.
 */
class Listener implements AsyncIterableIterator<unknown> {
  private queue: unknown[] = [];
  private waiter: { resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void } | undefined;
  private finished = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly limit: number,
    private readonly onLeave: (listener: Listener) => void,
    private readonly sink?: Sink,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  /** Hands a result over; false if this subscriber is finished (or just was, for being too slow). */
  push(result: SharedResult): boolean {
    if (this.finished) return false;
    if (this.sink) {
      if (this.sink.backlog() >= this.limit) return this.tooSlow();
      this.sink.write(result);
      return true;
    }
    const { value } = result;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value, done: false });
      return true;
    }
    if (this.queue.length >= this.limit) return this.tooSlow();
    this.queue.push(value);
    return true;
  }

  private tooSlow(): false {
    this.queue = [];
    this.finish({ error: new SlowSubscriberError() });
    this.onLeave(this);
    return false;
  }

  /** The stream is over (or failed): what is queued is still read, then the end or the error. */
  finish(failure?: { error: unknown }): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    this.settle(waiter);
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift(), done: false });
    if (this.finished) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.finished) {
      this.finished = true;
      this.onLeave(this);
    }
    this.queue = [];
    this.failure = undefined;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    void this.return();
    return Promise.reject(error);
  }

  private settle(waiter: NonNullable<Listener["waiter"]>): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) waiter.reject(failure.error);
    else waiter.resolve({ value: undefined, done: true });
  }
}
