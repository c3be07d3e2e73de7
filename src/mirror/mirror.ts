import type { IvsClient } from "@aws-sdk/client-ivs";
import { BatchFetcher } from "../ivs/batch-fetcher.ts";
import type { RequestBudget } from "../ivs/budget.ts";
import { asResource, type Kind, type MirrorChange, type Resource } from "./changes.ts";
import { Absent, SingleFlight } from "./single-flight.ts";
import { type IvsSources, ivsSources, type SingleKind } from "./sources.ts";
import { type Applied, MirrorStore } from "./store.ts";
import { SessionReads } from "./stream-session.ts";

/** How the changes this replica records reach the others (Redis); absent = one process. */
export interface MirrorFeed {
  publish(change: MirrorChange): Promise<void>;
}

export type LookupOutcome = "hit" | "miss" | "absent";

/** How long the gateway remembers its own writes (longer than CloudTrail events take to arrive). */
const OWN_WRITES_MS = 15 * 60_000;

export interface MirrorOptions {
  ivs: IvsClient;
  /** Slots for lookups of what the mirror lacks are taken here first (budget-aware batching). Default none. */
  budget?: RequestBudget;
  /** How long a lookup of something missing waits for others to share its call. Default 20 ms. */
  windowMs?: number;
  /** How long IVS's "no such resource" is believed before asking again. Default 5 min. */
  absentTtlMs?: number;
  /** Default none (one process). */
  feed?: MirrorFeed;
  /** Whether this replica runs the sync loop (and so confirms what events say). Default always. */
  isLeader?: () => boolean;
  /** Tells live subscribers on every replica that a channel was deleted. Default none. */
  announceDeleted?: (channelArn: string) => Promise<void>;
  onError?: (error: unknown, where: string) => void;
  /** Counts reads by kind and outcome (hit: answered from the mirror; miss: asked IVS; absent: known not to exist). */
  onLookup?: (kind: string, outcome: LookupOutcome) => void;
  now?: () => number;
}

/**
 * The gateway's copy of the IVS account: every read is answered from it, and IVS is asked only for
 * what it does not hold yet (batched, budget-aware, joined by concurrent callers). The sync loop
 * (sync.ts), the gateway's mutations, IVS and CloudTrail events and those lookups keep it true by
 * recording changes; with Redis, the changes one replica records reach every other.
 */
export class Mirror {
  readonly store = new MirrorStore();
  readonly sources: IvsSources;
  readonly channelFetcher: BatchFetcher<Resource>;
  readonly keyFetcher: BatchFetcher<Resource>;
  /** Channels' sessions and their details (stream-session.ts). */
  readonly sessions: SessionReads;
  private readonly flights = new SingleFlight<unknown>();
  private readonly absent: Absent;
  /** Request ids of writes this gateway (any replica) made lately. */
  private readonly ownWrites: Absent;
  private readonly listeners = new Set<(change: MirrorChange, applied: Applied) => void>();
  private readonly now: () => number;

  constructor(private readonly options: MirrorOptions) {
    this.sources = ivsSources(options.ivs);
    this.now = options.now ?? Date.now;
    this.absent = new Absent(options.absentTtlMs ?? 300_000, 10_000, this.now);
    this.ownWrites = new Absent(OWN_WRITES_MS, 50_000, this.now);
    const batch = (kind: "channel" | "stream-key", operation: string) =>
      new BatchFetcher<Resource>({
        operation,
        maxBatch: 50,
        windowMs: options.windowMs ?? 20,
        ...(options.budget ? { budget: options.budget } : {}),
        send: async (arns) => {
          const at = this.askedAt(kind, arns);
          const found = await this.sources.batchGet(kind, arns);
          this.settle(kind, arns, found, at);
          return found;
        },
      });
    this.channelFetcher = batch("channel", "BatchGetChannel");
    this.keyFetcher = batch("stream-key", "BatchGetStreamKey");
    this.sessions = new SessionReads({
      store: this.store,
      sources: this.sources,
      record: (change) => this.record(change),
      channel: (arn) => this.resource("channel", arn),
      now: this.now,
      ...(options.onLookup ? { onLookup: options.onLookup } : {}),
    });
  }

  get leader(): boolean {
    return this.options.isLeader?.() ?? true;
  }

  /** Calls `listener` with every change applied here, whatever its source (persistence, metrics). */
  onChange(listener: (change: MirrorChange, applied: Applied) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a change this replica observed (a mutation's answer, a lookup, the sync loop) and sends it
   * to the other replicas. Channels it deletes are announced to live subscribers. `answer` is the IVS
   * answer a mutation recorded: its request id tells that write's CloudTrail event apart (nothing to
   * confirm, the mirror has the answer already).
   */
  record(
    change: MirrorChange,
    answer?: { $metadata?: { requestId?: string } },
  ): Applied & { announced: Promise<void> } {
    const requestId = answer?.$metadata?.requestId;
    if (requestId && !this.ownWrites.has(requestId)) this.noteOwnWrite(requestId);
    const applied = this.apply(change);
    // An observation that changed nothing (most of a resync) is not news to the other replicas.
    if (worthSending(change, applied))
      this.options.feed
        ?.publish(change)
        .catch((e: unknown) => this.options.onError?.(e, "publishing a change"));
    return { ...applied, announced: this.announce(applied) };
  }

  /**
   * Applies a change another replica recorded (`feed`), or one every replica reads from the shared
   * event log (`log`: CloudTrail and IVS events), where the leader alone announces deletions.
   */
  receive(change: MirrorChange, from: "feed" | "log"): Applied {
    const applied = this.apply(change);
    if (from === "log" && this.leader) void this.announce(applied);
    return applied;
  }

  /** A mutation's answer: `resource` (a full object) as IVS left it, recorded now. */
  wrote(kind: Kind, resource: object, answer: { $metadata?: { requestId?: string } }) {
    return this.record(
      { op: "put", kind, part: "full", at: this.now(), items: [asResource(resource)] },
      answer,
    );
  }

  /** A mutation left the channel with exactly these stream keys (full objects), recorded now. */
  keyed(channelArn: string, keys: object[], answer: { $metadata?: { requestId?: string } }) {
    this.record({ op: "keys", at: this.now(), lists: [{ channelArn, keys: keys.map(asResource) }] }, answer);
    this.record(
      { op: "put", kind: "stream-key", part: "full", at: this.now(), items: keys.map(asResource) },
      answer,
    );
  }

  /** A mutation deleted `arn`; the result settles once deleted channels are announced. */
  removed(kind: Kind, arn: string, answer: { $metadata?: { requestId?: string } }) {
    return this.record({ op: "delete", kind, arns: [arn], at: this.now() }, answer);
  }

  /** Notes a write whose answer this gateway recorded, here and on the other replicas. */
  private noteOwnWrite(requestId: string): void {
    this.record({ op: "own-write", requestId, at: this.now() });
  }

  /** Whether the write with this IVS request id was made by this gateway (lately). */
  isOwnWrite(requestId: string): boolean {
    return this.ownWrites.has(requestId);
  }

  private apply(change: MirrorChange): Applied {
    if (change.op === "own-write") this.ownWrites.add(change.requestId);
    const applied = this.store.apply(change);
    if (change.op === "put") for (const item of change.items) if (item.arn) this.absent.delete(item.arn);
    for (const listener of this.listeners) listener(change, applied);
    return applied;
  }

  /** Settles once every replica's log carries the deletions (failures are logged, not thrown). */
  private announce(applied: Applied): Promise<void> {
    return Promise.all(
      applied.deletedChannels.map((arn) =>
        (this.options.announceDeleted?.(arn) ?? Promise.resolve()).catch((e: unknown) =>
          this.options.onError?.(e, "announcing a deleted channel"),
        ),
      ),
    ).then(() => undefined);
  }

  /**
   * The `at` of what a call about to be sent will observe: now, and no older than anything the mirror
   * holds for those ARNs. What it holds describes writes made before the call (an event's time is the
   * upper end of its second, so it can lie a little ahead of the clock); what IVS answers now is newer.
   */
  private askedAt(kind: Kind, arns: readonly string[]): number {
    let at = this.now();
    for (const arn of arns) {
      const e = this.store.get(kind, arn);
      if (e) at = Math.max(at, e.at, e.detailAt);
    }
    return at;
  }

  /** Records what a batch call found: full objects, and deletions of what the mirror held but IVS no longer has. */
  private settle(kind: Kind, arns: string[], found: Map<string, Resource | null>, at: number): void {
    const items = [...found.values()].filter((v): v is Resource => v !== null);
    if (items.length > 0) this.record({ op: "put", kind, part: "full", at, items });
    const gone = arns.filter((arn) => !found.get(arn));
    const held = gone.filter((arn) => this.store.get(kind, arn));
    if (held.length > 0) this.record({ op: "delete", kind, arns: held, at });
    for (const arn of gone) this.absent.add(`${kind} ${arn}`);
  }

  /** Whether a complete list of `kind` was taken: a lookup of something not in it is confirmed with IVS once. */
  listed(kind: Kind): boolean {
    return this.store.of(kind).listedAt > 0;
  }

  // ---- resources by ARN ----

  /** The resource as the mirror holds it (a summary or a full object), asking IVS only when it has none. */
  async resource(kind: Kind, arn: string): Promise<Resource | null> {
    return this.heldResource(kind, arn) ?? this.lookup(kind, arn);
  }

  /**
   * What `resource` answers without waiting: the held resource (counted as a hit), or undefined when it
   * would ask IVS. The `held*` reads let a request's loaders answer warm reads without a promise.
   */
  heldResource(kind: Kind, arn: string): Resource | undefined {
    const held = this.store.get(kind, arn);
    if (!held) return undefined;
    this.options.onLookup?.(kind, "hit");
    return held.value;
  }

  /** The full resource (with the members list summaries lack), asking IVS when only a summary is held. */
  async full(kind: Kind, arn: string): Promise<Resource | null> {
    const held = this.heldFull(kind, arn);
    if (held !== undefined) return held;
    const collection = this.store.of(kind);
    if (!collection.get(arn) && collection.isDeleted(arn)) return null;
    return this.lookup(kind, arn);
  }

  /** What `full` answers without waiting (counted as a hit), or undefined when it would look further. */
  heldFull(kind: Kind, arn: string): Resource | null | undefined {
    const collection = this.store.of(kind);
    if (!collection.hasDetail(arn)) return undefined;
    this.options.onLookup?.(kind, "hit");
    return collection.get(arn)?.value ?? null;
  }

  /**
   * A secret member (a stream key's value, a channel's SRT passphrase), which a source that could not
   * see it (CloudTrail, Redis without a sealing key) leaves unknown: then IVS is asked.
   */
  async withSecret(kind: "channel" | "stream-key", arn: string): Promise<Resource | null> {
    const held = this.heldWithSecret(kind, arn);
    if (held) return held;
    if (!this.store.get(kind, arn) && this.store.of(kind).isDeleted(arn)) return null;
    this.options.onLookup?.(kind, "miss");
    return (kind === "channel" ? this.channelFetcher : this.keyFetcher).load(arn);
  }

  /** What `withSecret` answers without waiting (counted as a hit), or undefined when it would ask IVS. */
  heldWithSecret(kind: "channel" | "stream-key", arn: string): Resource | undefined {
    const held = this.store.get(kind, arn)?.value;
    const secret =
      kind === "stream-key" ? held?.value : (held?.srt as { passphrase?: string } | undefined)?.passphrase;
    if (!held || !this.store.of(kind).hasDetail(arn) || secret === undefined) return undefined;
    this.options.onLookup?.(kind, "hit");
    return held;
  }

  private async lookup(kind: Kind, arn: string): Promise<Resource | null> {
    if (this.store.of(kind).isDeleted(arn) || this.absent.has(`${kind} ${arn}`)) {
      this.options.onLookup?.(kind, "absent");
      return null;
    }
    this.options.onLookup?.(kind, "miss");
    if (kind === "channel") return this.channelFetcher.load(arn);
    if (kind === "stream-key") return this.keyFetcher.load(arn);
    return this.fetchOne(kind, arn);
  }

  /** One Get* call for a kind without a batch call, joined by concurrent callers. */
  fetchOne(kind: SingleKind, arn: string): Promise<Resource | null> {
    return this.flights.run(`${kind} ${arn}`, async () => {
      const at = this.askedAt(kind, [arn]);
      const found = await this.sources.get(kind, arn);
      this.settle(kind, [arn], new Map([[arn, found]]), at);
      return found;
    }) as Promise<Resource | null>;
  }

  /** A page of `kind` in ARN order, from the mirror (callers check `listed` first). */
  page(kind: Kind, after: string | undefined, first: number, keep?: (value: Resource) => boolean) {
    return this.store.of(kind).page(after, first, keep);
  }

  // ---- stream keys of a channel ----

  /** The channel's key summaries; an unknown channel has none. Lists them from IVS when not mirrored yet. */
  async keysOf(channelArn: string): Promise<Resource[]> {
    const held = this.heldKeysOf(channelArn);
    if (held) return held;
    // A channel IVS does not have has no keys: known (and remembered) without listing them.
    if (!(await this.resource("channel", channelArn))) return [];
    this.options.onLookup?.("stream-key-list", "miss");
    return (await this.listKeys(channelArn)) ?? [];
  }

  /** What `keysOf` answers without waiting (counted as a hit), or undefined when it would look further. */
  heldKeysOf(channelArn: string): Resource[] | undefined {
    const held = this.store.keysOf(channelArn);
    if (!held) return undefined;
    this.options.onLookup?.("stream-key-list", "hit");
    return held;
  }

  /** ListStreamKeys (every page) for one channel, recorded; null when IVS does not know the channel. */
  listKeys(channelArn: string): Promise<Resource[] | null> {
    return this.flights.run(`keys ${channelArn}`, async () => {
      const at = Math.max(this.now(), this.store.keyListedAt(channelArn));
      const keys = await this.sources.listKeys(channelArn);
      if (keys) this.record({ op: "keys", at, lists: [{ channelArn, keys }] });
      else if (this.store.get("channel", channelArn))
        this.record({ op: "delete", kind: "channel", arns: [channelArn], at });
      return keys;
    }) as Promise<Resource[] | null>;
  }

  // ---- tags ----

  /** A resource's tags from the mirror; IVS is asked for resources the mirror does not hold. */
  async tags(kind: Kind | undefined, arn: string): Promise<Record<string, string> | null> {
    if (kind) {
      const found = await this.resource(kind, arn);
      return found ? (found.tags ?? {}) : null;
    }
    return this.sources.listTags(arn);
  }
}

/**
 * Whether a change must reach the other replicas (and the saved mirror): whatever changed the mirror,
 * and the small, idempotent facts whose effect is not visible in `changed` (deletions, completed list
 * passes, own writes).
 */
export function worthSending(change: MirrorChange, applied: Applied): boolean {
  return applied.changed || change.op === "delete" || change.op === "listed" || change.op === "own-write";
}
