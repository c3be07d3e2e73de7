import type { Redis } from "ioredis";
import type { SecretBox } from "../ivs/secret-box.ts";
import { KINDS, type Kind, type MirrorChange } from "./changes.ts";
import type { Entry } from "./collection.ts";
import { joinSecrets, splitSecrets } from "./secrets.ts";
import type { SessionRecord } from "./sessions.ts";
import type { MirrorStore } from "./store.ts";

export interface RedisSnapshotOptions {
  redis: Redis;
  /** Key prefix (REDIS_KEY_PREFIX). */
  prefix: string;
  /** Seals secrets; without it they are not saved (replicas ask IVS for them when needed). */
  box?: SecretBox;
}

/** Where the snapshot stands in the two streams it was built from: replay goes on after these. */
export interface SnapshotMark {
  /** The mirror feed (changes replicas recorded). */
  feedId: string;
  /** The shared event log (IVS and CloudTrail events). */
  logId: string;
}

interface SavedEntry {
  v: Entry["value"];
  at: number;
  d: number;
  s: number;
  /** Sealed secrets. */
  x?: string;
}

/**
 * The mirror saved in Redis, so that a restarted replica (or a new one) starts from it instead of
 * crawling the account: one hash per kind (stream keys grouped by channel, with the time their list
 * was taken), one of session histories, and where in the feed and event log the save stands. The
 * leader writes what changed since its last save, in one MULTI; secrets only sealed.
 */
export class RedisSnapshot {
  private readonly dirty = new Map<Kind, Set<string>>();
  private readonly keyChannels = new Set<string>();
  private readonly sessionChannels = new Set<string>();
  /** Which channel each stream key belongs to, for keys that are deleted (the store no longer knows). */
  private readonly keyOwner = new Map<string, string>();
  private metaDirty = false;

  constructor(private readonly options: RedisSnapshotOptions) {
    for (const kind of KINDS) this.dirty.set(kind, new Set());
  }

  private key(name: string): string {
    return `${this.options.prefix}mirror:${name}`;
  }

  /** Notes what a change touched, for the next save. */
  track(change: MirrorChange): void {
    switch (change.op) {
      case "put":
        for (const item of change.items) {
          if (!item.arn) continue;
          if (change.kind === "stream-key") this.keyTouched(item.arn, item.channelArn);
          else this.dirty.get(change.kind)?.add(item.arn);
        }
        break;
      case "tags":
        if (change.kind === "stream-key") this.keyTouched(change.arn);
        else this.dirty.get(change.kind)?.add(change.arn);
        break;
      case "delete":
        for (const arn of change.arns) {
          if (change.kind === "stream-key") this.keyTouched(arn);
          else this.dirty.get(change.kind)?.add(arn);
          if (change.kind === "channel") {
            this.keyChannels.add(arn);
            this.sessionChannels.add(arn);
          }
        }
        break;
      case "keys":
        for (const { channelArn, keys } of change.lists) {
          this.keyChannels.add(channelArn);
          for (const k of keys) if (k.arn) this.keyOwner.set(k.arn, channelArn);
        }
        break;
      case "listed":
        this.metaDirty = true;
        break;
      case "own-write":
        break;
      case "sessions":
      case "session":
      case "session-event":
        this.sessionChannels.add(change.channelArn);
        break;
    }
  }

  private keyTouched(arn: string, channelArn?: unknown): void {
    if (typeof channelArn === "string") this.keyOwner.set(arn, channelArn);
    const owner = this.keyOwner.get(arn);
    if (owner) this.keyChannels.add(owner);
  }

  get pending(): boolean {
    return (
      this.metaDirty ||
      this.keyChannels.size > 0 ||
      this.sessionChannels.size > 0 ||
      [...this.dirty.values()].some((s) => s.size > 0)
    );
  }

  /** Writes what changed since the last save, and where the save stands. */
  async save(store: MirrorStore, mark: SnapshotMark): Promise<void> {
    const multi = this.options.redis.multi();
    for (const [kind, arns] of this.dirty) {
      for (const arn of arns) {
        const e = store.get(kind, arn);
        if (e) multi.hset(this.key(kind), arn, JSON.stringify(this.saved(kind, e)));
        else multi.hdel(this.key(kind), arn);
      }
      arns.clear();
    }
    for (const channelArn of this.keyChannels) {
      const keys = store.keyEntriesOf(channelArn);
      const at = store.keyListedAt(channelArn);
      if (keys.length === 0 && at === 0) multi.hdel(this.key("keys"), channelArn);
      else
        multi.hset(
          this.key("keys"),
          channelArn,
          JSON.stringify({ at, keys: keys.map((e) => this.saved("stream-key", e)) }),
        );
    }
    this.keyChannels.clear();
    for (const channelArn of this.sessionChannels) {
      const history = store.sessions.exportChannel(channelArn);
      if (history) multi.hset(this.key("sessions"), channelArn, JSON.stringify(history));
      else multi.hdel(this.key("sessions"), channelArn);
    }
    this.sessionChannels.clear();
    const meta: Record<string, string> = {
      feedId: mark.feedId,
      logId: mark.logId,
      savedAt: String(Date.now()),
    };
    for (const kind of KINDS) meta[`listed:${kind}`] = String(store.of(kind).listedAt);
    multi.hset(this.key("meta"), meta);
    this.metaDirty = false;
    await multi.exec();
  }

  /** Loads a saved mirror into `store`; undefined (store untouched) when nothing was saved. */
  async load(store: MirrorStore): Promise<SnapshotMark | undefined> {
    const meta = await this.options.redis.hgetall(this.key("meta"));
    if (!meta.feedId) return undefined;
    for (const kind of KINDS) {
      if (kind === "stream-key") continue;
      const saved = await this.options.redis.hgetall(this.key(kind));
      for (const [arn, raw] of Object.entries(saved)) store.of(kind).restore(this.restored(kind, arn, raw));
      store.of(kind).listedAt = Number(meta[`listed:${kind}`] ?? 0);
    }
    store.of("stream-key").listedAt = Number(meta["listed:stream-key"] ?? 0);
    const keys = await this.options.redis.hgetall(this.key("keys"));
    for (const [channelArn, raw] of Object.entries(keys)) {
      const record = JSON.parse(raw) as { at: number; keys: SavedEntry[] };
      for (const k of record.keys) {
        const entry = this.restored("stream-key", String(k.v.arn), JSON.stringify(k));
        store.of("stream-key").restore(entry);
        store.index(entry.value);
        if (entry.value.arn) this.keyOwner.set(entry.value.arn, channelArn);
      }
      if (record.at > 0) store.restoreKeyList(channelArn, record.at);
    }
    const sessions = await this.options.redis.hgetall(this.key("sessions"));
    for (const [channelArn, raw] of Object.entries(sessions)) {
      const h = JSON.parse(raw) as { listedAt: number; complete: boolean; sessions: SessionRecord[] };
      store.sessions.restore(channelArn, h.listedAt, h.complete, h.sessions);
    }
    return { feedId: meta.feedId, logId: meta.logId ?? "0-0" };
  }

  /** Deletes every saved key of the mirror (tests, a fresh start). */
  async clear(): Promise<void> {
    const names = [...KINDS.filter((k) => k !== "stream-key"), "keys", "sessions", "meta"];
    await this.options.redis.del(...names.map((n) => this.key(n)));
  }

  private saved(kind: Kind, e: Entry): SavedEntry {
    const { open, secret } = splitSecrets(kind, e.value);
    const out: SavedEntry = { v: open, at: e.at, d: e.detailAt, s: e.syncedAt };
    if (secret && this.options.box)
      out.x = this.options.box.seal(JSON.stringify(secret), `${kind} ${e.value.arn}`);
    return out;
  }

  private restored(kind: Kind, arn: string, raw: string): Entry {
    const saved = JSON.parse(raw) as SavedEntry;
    const opened = saved.x && this.options.box ? this.options.box.open(saved.x, `${kind} ${arn}`) : undefined;
    const value = joinSecrets(kind, saved.v, opened ? JSON.parse(opened) : undefined);
    // A secret left behind (no key then, or another key now) is unknown: the entry is no longer "full"
    // for it, so a reader that needs it asks IVS (see Mirror.withSecret).
    return { value, at: saved.at, detailAt: saved.d, syncedAt: saved.s };
  }
}
