import { KINDS, type Kind, type MirrorChange, type Resource } from "./changes.ts";
import { Collection, type Entry } from "./collection.ts";
import { SessionStore } from "./sessions.ts";

/** Members only full objects carry, per kind; kinds without any are complete in their list summaries. */
const DETAIL: Record<Kind, readonly string[]> = {
  channel: ["ingestEndpoint", "playbackUrl", "srt", "multitrackInputConfiguration", "containerFormat"],
  "stream-key": ["value"],
  "recording-configuration": [
    "thumbnailConfiguration",
    "recordingReconnectWindowSeconds",
    "renditionConfiguration",
  ],
  "playback-key-pair": ["fingerprint"],
  "playback-restriction-policy": [],
  "ad-configuration": [],
};

/**
 * Secrets a source could not see (CloudTrail hides them, Redis without a sealing key drops them) are
 * never erased by that source's copy: a channel's SRT passphrase and a key's value never change.
 */
function keepSecrets(kind: Kind) {
  if (kind === "stream-key")
    return (old: Resource, next: Resource) =>
      next.value === undefined && old.value !== undefined ? { ...next, value: old.value } : next;
  if (kind === "channel")
    return (old: Resource, next: Resource) => {
      const was = old.srt as { passphrase?: string } | undefined;
      const now = next.srt as { passphrase?: string } | undefined;
      if (!was?.passphrase || !now || now.passphrase !== undefined) return next;
      return { ...next, srt: { ...now, passphrase: was.passphrase } };
    };
  return undefined;
}

/** What applying a change did that others must hear of. */
export interface Applied {
  /** Channels deleted by this change (their subscriptions complete). */
  deletedChannels: string[];
  /** Whether the mirror changed at all (for persistence). */
  changed: boolean;
}

/**
 * The mirror's state in this process: one Collection per kind, each channel's key list, and every
 * channel's sessions. Pure: it applies changes and answers questions, and never calls IVS.
 */
export class MirrorStore {
  readonly sessions = new SessionStore();
  private readonly collections = new Map<Kind, Collection>();
  private readonly keysByChannel = new Map<string, Set<string>>();
  /** When each channel's complete key list was observed. */
  private readonly keyListAt = new Map<string, number>();

  constructor() {
    for (const kind of KINDS) {
      const keep = keepSecrets(kind);
      this.collections.set(kind, new Collection({ detail: DETAIL[kind], ...(keep ? { keep } : {}) }));
    }
  }

  of(kind: Kind): Collection {
    return this.collections.get(kind) as Collection;
  }

  get(kind: Kind, arn: string): Entry | undefined {
    return this.of(kind).get(arn);
  }

  /** The channel's stream keys, or undefined when its key list is not mirrored yet. */
  keysOf(channelArn: string): Resource[] | undefined {
    if (!this.keyListAt.has(channelArn)) return undefined;
    const keys = this.of("stream-key");
    return [...(this.keysByChannel.get(channelArn) ?? [])]
      .map((arn) => keys.get(arn)?.value)
      .filter((k): k is Resource => k !== undefined);
  }

  /** Every stream key the mirror holds for the channel, listed or not (persistence). */
  keyEntriesOf(channelArn: string): Entry[] {
    const keys = this.of("stream-key");
    return [...(this.keysByChannel.get(channelArn) ?? [])]
      .map((arn) => keys.get(arn))
      .filter((e): e is Entry => e !== undefined);
  }

  /** When the channel's key list was last observed complete; 0 if never. */
  keyListedAt(channelArn: string): number {
    return this.keyListAt.get(channelArn) ?? 0;
  }

  apply(change: MirrorChange): Applied {
    const applied: Applied = { deletedChannels: [], changed: false };
    const mark = (outcome: string) => {
      if (outcome === "added" || outcome === "changed") applied.changed = true;
    };
    switch (change.op) {
      case "put":
        for (const item of change.items) {
          const outcome = this.of(change.kind).put(item, change.part, change.at);
          mark(outcome);
          if (change.kind === "stream-key" && outcome === "added") this.index(item);
        }
        break;
      case "tags":
        mark(this.of(change.kind).retag(change.arn, change.at, change));
        break;
      case "delete":
        for (const arn of change.arns) {
          const key = change.kind === "stream-key" ? this.get("stream-key", arn)?.value : undefined;
          const held = this.of(change.kind).delete(arn, change.at);
          if (held) applied.changed = true;
          if (key) this.unindex(key);
          if (change.kind !== "channel") continue;
          // Announced once: a deletion the mirror had already applied is no news.
          if (held) applied.deletedChannels.push(arn);
          this.forgetChannel(arn, change.at);
        }
        break;
      case "keys":
        for (const { channelArn, keys } of change.lists) {
          if (this.of("channel").isDeleted(channelArn)) continue;
          const listed = new Set(keys.map((k) => k.arn));
          for (const key of keys) {
            const outcome = this.of("stream-key").put(key, "summary", change.at);
            mark(outcome);
            if (outcome === "added") this.index(key);
          }
          for (const arn of [...(this.keysByChannel.get(channelArn) ?? [])]) {
            if (listed.has(arn)) continue;
            const key = this.get("stream-key", arn)?.value;
            // Not listed: gone, unless something newer than the list said it exists.
            if (key && this.of("stream-key").drop(arn, change.at)) {
              this.unindex(key);
              applied.changed = true;
            }
          }
          if ((this.keyListAt.get(channelArn) ?? 0) < change.at) {
            this.keyListAt.set(channelArn, change.at);
            applied.changed = true;
          }
        }
        break;
      case "listed": {
        const c = this.of(change.kind);
        if (change.at > c.listedAt) {
          c.listedAt = change.at;
          applied.changed = true;
        }
        break;
      }
      case "sessions":
        if (this.of("channel").isDeleted(change.channelArn)) break;
        this.sessions.applyList(change.channelArn, change.sessions, change.complete, change.at);
        applied.changed = true;
        break;
      case "session":
        if (this.of("channel").isDeleted(change.channelArn)) break;
        this.sessions.applyDetail(change.channelArn, change.detail, change.at);
        applied.changed = true;
        break;
      case "own-write":
        break;
      case "session-event":
        if (this.of("channel").isDeleted(change.channelArn)) break;
        applied.changed = this.sessions.applyEvent(change.channelArn, change.streamId, change.at, {
          ...(change.started ? { started: true } : {}),
          ...(change.ended ? { ended: true } : {}),
          ...(change.error ? { error: true } : {}),
          ...(change.startTime !== undefined ? { startTime: change.startTime } : {}),
          ...(change.seenAt !== undefined ? { seenAt: change.seenAt } : {}),
        });
        break;
    }
    return applied;
  }

  /** Restores one channel's key-list time (persistence). */
  restoreKeyList(channelArn: string, at: number): void {
    this.keyListAt.set(channelArn, at);
  }

  /** Every channel whose key list is known, with when it was observed (persistence, resync). */
  keyLists(): IterableIterator<[string, number]> {
    return this.keyListAt.entries();
  }

  /** Re-indexes a stream key restored from persistence. */
  index(key: Resource): void {
    const channelArn = key.channelArn;
    if (typeof channelArn !== "string" || !key.arn) return;
    const set = this.keysByChannel.get(channelArn) ?? new Set();
    set.add(key.arn);
    this.keysByChannel.set(channelArn, set);
  }

  private unindex(key: Resource): void {
    const set = typeof key.channelArn === "string" ? this.keysByChannel.get(key.channelArn) : undefined;
    if (set && key.arn) set.delete(key.arn);
  }

  /** A deleted channel takes its keys and sessions with it (IVS deletes its keys too). */
  private forgetChannel(channelArn: string, at: number): void {
    for (const arn of this.keysByChannel.get(channelArn) ?? []) this.of("stream-key").delete(arn, at);
    this.keysByChannel.delete(channelArn);
    this.keyListAt.delete(channelArn);
    this.sessions.forget(channelArn);
  }
}
