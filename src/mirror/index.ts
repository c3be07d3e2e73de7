import { randomUUID } from "node:crypto";
import type { IvsClient } from "@aws-sdk/client-ivs";
import type { Redis } from "ioredis";
import type { RequestBudget } from "../ivs/budget.ts";
import { createSecretBox } from "../ivs/secret-box.ts";
import { type EventLog, type LogEntry, logIdTime } from "../live/event-log.ts";
import type { Logger } from "../logger.ts";
import { KINDS, type Kind } from "./changes.ts";
import { type Leadership, RedisLease, soleLeader } from "./lease.ts";
import { type LookupOutcome, Mirror, worthSending } from "./mirror.ts";
import { RedisFeed } from "./redis-feed.ts";
import { RedisSnapshot, type SnapshotMark } from "./redis-snapshot.ts";
import { type CrawlProgress, MirrorSync, type SyncDelays } from "./sync.ts";
import { applyLogEntry } from "./watch.ts";

export interface MirrorSettings {
  /** Account-level lists and channel details are taken again this often (MIRROR_RESYNC_INTERVAL_MS). */
  resyncMs: number;
  /** Each channel's key list and session list are taken again this often (MIRROR_CHANNEL_RESYNC_INTERVAL_MS). */
  channelResyncMs: number;
  /** How long a lookup of something missing waits for others' keys (COALESCE_WINDOW_MS). */
  windowMs: number;
  /** Seals secrets kept in Redis (MIRROR_SECRET_KEY); without it secrets stay in each process. */
  secretKey?: Buffer;
  /** Waits of the sync loop (tests shorten them). Default SyncDelays' defaults. */
  delays?: Partial<SyncDelays>;
  /** EVENT_CLOCK_SKEW_MS / EVENT_MAX_AGE_MS: events dated outside them build no session. Default 5 min / 24 h. */
  eventWindow?: { clockSkewMs?: number; maxAgeMs?: number };
}

export interface MirrorRuntimeOptions {
  ivs: IvsClient;
  settings: MirrorSettings;
  budget?: RequestBudget;
  /** Shares the mirror among replicas and keeps it across restarts. Default none (this process only). */
  redis?: { commands: Redis; connect: () => Promise<Redis>; prefix: string };
  logger?: Logger;
  onLookup?: (kind: string, outcome: LookupOutcome) => void;
}

/** The hub the mirror follows: its log entries, and where deleted channels are announced. */
export interface LiveFeed {
  observe(listener: (entry: LogEntry, logId: string) => void): () => void;
  channelDeleted(channelArn: string): Promise<void>;
}

/** How fresh and complete the mirror is, for /metrics, /health and start-up logs. */
export interface MirrorStatus {
  synced: Record<string, boolean>;
  resources: Record<string, number>;
  /** Seconds since the least recently confirmed entry of each kind was confirmed by IVS. */
  oldestAgeSeconds: Record<string, number>;
  progress: CrawlProgress;
  leader: boolean;
}

export type MirrorRuntime = Awaited<ReturnType<typeof startMirror>>;

/** What /ready says of the mirror. */
export interface MirrorReadiness {
  /** Every account-level list has been taken once (see `readiness()`). */
  ready: boolean;
  /** The lists not taken yet. */
  waitingFor: string[];
  progress: CrawlProgress;
}

/** The lists a replica must hold before it takes traffic: everything else is fetched on demand meanwhile. */
const ACCOUNT_LISTS: readonly Kind[] = [
  "channel",
  "recording-configuration",
  "playback-key-pair",
  "playback-restriction-policy",
  "ad-configuration",
];

/** How often the leader saves what changed to Redis. */
const SAVE_EVERY_MS = 1000;

/**
 * Builds the mirror and, with Redis, loads what was saved (so that a restarted replica serves reads
 * at once and does not crawl again), replays what the feed carried since, and follows it. `watch`
 * connects it to the live hub; the sync loop runs on whichever replica holds the lease.
 */
export async function startMirror(options: MirrorRuntimeOptions) {
  const { settings, logger } = options;
  const origin = randomUUID();
  // Events are judged against the time the log took them in, as the live hub judges them (every replica alike).
  const windowOf = (logId: string) => ({ ...settings.eventWindow, receivedAt: logIdTime(logId) });
  const box = settings.secretKey ? createSecretBox(settings.secretKey) : undefined;
  let leadership: Leadership = soleLeader();
  let feed: RedisFeed | undefined;
  let snapshot: RedisSnapshot | undefined;
  const onError = (error: unknown, where: string) => logger?.warn({ err: error, where }, "mirror");

  if (options.redis) {
    const { commands, prefix } = options.redis;
    feed = new RedisFeed({
      redis: commands,
      reader: await options.redis.connect(),
      key: `${prefix}mirror:feed`,
      origin,
      ...(box ? { box } : {}),
      onError,
    });
    snapshot = new RedisSnapshot({ redis: commands, prefix, ...(box ? { box } : {}) });
    leadership = new RedisLease({
      redis: commands,
      key: `${prefix}mirror:leader`,
      id: origin,
      onChange: (leader) =>
        logger?.info({ leader }, leader ? "mirror: leading the sync" : "mirror: following"),
      onError: (error) => onError(error, "mirror lease"),
    });
  }
  let hub: LiveFeed | undefined;
  const mirror = new Mirror({
    ivs: options.ivs,
    windowMs: settings.windowMs,
    absentTtlMs: settings.resyncMs,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(feed ? { feed } : {}),
    isLeader: () => leadership.leader,
    announceDeleted: (arn) => hub?.channelDeleted(arn) ?? Promise.resolve(),
    onError,
    ...(options.onLookup ? { onLookup: options.onLookup } : {}),
  });
  const sync = new MirrorSync({
    mirror,
    resyncMs: settings.resyncMs,
    channelResyncMs: settings.channelResyncMs,
    ...(settings.delays ? { delays: settings.delays } : {}),
    ...(logger ? { logger } : {}),
    onProgress: (p) => logger?.info({ progress: p }, "mirror sync"),
  });
  // A recording configuration is CREATING until IVS says otherwise; nothing announces the change.
  const creating = new Map<string, number>();
  mirror.onChange((change, applied) => {
    if (worthSending(change, applied)) snapshot?.track(change);
    if (change.op !== "put" || change.kind !== "recording-configuration") return;
    for (const item of change.items) {
      const arn = item.arn as string;
      if (item.state !== "CREATING") {
        creating.delete(arn);
        continue;
      }
      const tries = (creating.get(arn) ?? 0) + 1;
      creating.set(arn, tries);
      sync.confirmLater(`rc ${arn}`, Math.min(60_000, sync.delays.creatingPollMs * 2 ** (tries - 1)), () =>
        mirror.fetchOne("recording-configuration", arn),
      );
    }
  });

  let mark: SnapshotMark | undefined;
  if (snapshot && feed) {
    mark = await snapshot.load(mirror.store);
    // Without a saved mirror (the leader has not saved one yet), everything the feed still holds.
    const replay = await feed.since(mark?.feedId ?? "0-0");
    if (mark && !replay)
      logger?.warn("mirror: the saved mirror is older than the feed retains; the sync loop will list again");
    for (const { change } of replay ?? []) mirror.receive(change, "feed");
    feed.start(replay?.at(-1)?.id ?? (await feed.head()), (change) => mirror.receive(change, "feed"));
    if (mark) logger?.info({ resources: mirror.store.of("channel").size }, "mirror: loaded from Redis");
  }

  let lastLogId = mark?.logId ?? "0-0";
  let saver: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    if (!snapshot || !feed || !leadership.leader || !snapshot.pending) return saving;
    const at = { feedId: feed.lastId, logId: lastLogId };
    saving = saving
      .then(() => snapshot?.save(mirror.store, at))
      .catch((error: unknown) => onError(error, "saving the mirror"));
    return saving;
  };
  const unwatch: (() => void)[] = [];

  return {
    mirror,
    sync,
    /** The mirror was loaded from a copy saved in Redis: it can answer reads before IVS is asked anything. */
    loadedFromRedis: mark !== undefined,
    /**
     * Follows the live hub (before it starts, so that its first reconciliation is seen), then replays
     * what the shared event log holds since the saved mirror (`log`, after the hub started).
     */
    watch(live: LiveFeed) {
      hub = live;
      unwatch.push(
        live.observe((entry, logId) => {
          lastLogId = logId;
          applyLogEntry(mirror, sync, entry, Date.now(), windowOf(logId));
        }),
      );
    },
    async replay(log: EventLog) {
      // With a saved mirror: what the log added since it was saved. Without one (the leader has not saved
      // yet), all the log retains: the changes it carried (CloudTrail) are on no feed, and a follower that
      // skipped them would lack them until the next resync.
      const missed = mark ? await log.since(mark.logId) : feed ? await log.retained() : [];
      for (const { id, entry } of missed ?? [])
        applyLogEntry(mirror, undefined, entry, Date.now(), windowOf(id));
    },
    /** Starts leading (if the lease is free), syncing and saving. */
    async start() {
      await leadership.start();
      sync.start();
      if (snapshot) {
        saver = setInterval(() => void save(), SAVE_EVERY_MS);
        saver.unref();
      }
    },
    status(): MirrorStatus {
      const progress = sync.progress();
      const synced: Record<string, boolean> = {};
      const resources: Record<string, number> = {};
      const oldestAgeSeconds: Record<string, number> = {};
      const now = Date.now();
      for (const kind of KINDS) {
        const c = mirror.store.of(kind);
        resources[kind] = c.size;
        synced[kind] = c.listedAt > 0;
        const oldest = c.oldestSyncedAt();
        oldestAgeSeconds[kind] = oldest > 0 ? (now - oldest) / 1000 : 0;
      }
      synced.channel = progress.channels.listed && progress.channels.detailed === progress.channels.total;
      synced["stream-key"] = synced.channel === true && progress.keyLists.done === progress.keyLists.total;
      synced["stream-session"] =
        synced.channel === true && progress.sessionLists.done === progress.sessionLists.total;
      let oldestKeys = 0;
      for (const [, at] of mirror.store.keyLists()) if (oldestKeys === 0 || at < oldestKeys) oldestKeys = at;
      oldestAgeSeconds["stream-key-list"] = oldestKeys > 0 ? (now - oldestKeys) / 1000 : 0;
      return { synced, resources, oldestAgeSeconds, progress, leader: leadership.leader };
    },
    /**
     * Enough to take traffic: every account-level list (all channels, configurations, key pairs,
     * policies) taken once, by this replica's crawl, by the leader's (through the feed) or from the saved
     * mirror. Channel details, key lists and session lists fill in afterwards; a read of what is not
     * there yet is a batched lookup at IVS meanwhile, so lists and existence checks are already right.
     */
    readiness(): MirrorReadiness {
      const waitingFor = ACCOUNT_LISTS.filter((kind) => mirror.store.of(kind).listedAt <= 0);
      return { ready: waitingFor.length === 0, waitingFor, progress: sync.progress() };
    },
    /** Resolves once every kind is completely mirrored; rejects after `timeoutMs` (default 60 s). */
    async synced(timeoutMs = 60_000): Promise<void> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (Object.values(this.status().synced).every(Boolean)) return;
        if (Date.now() > until) throw new Error("the mirror did not sync in time");
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      for (const off of unwatch.splice(0)) off();
      if (saver) clearInterval(saver);
      await sync.stop();
      // Save what is left while still leading, then hand the lease over.
      await save();
      await leadership.stop();
      await feed?.stop();
    },
  };
}
