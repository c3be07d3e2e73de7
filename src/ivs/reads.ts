import {
  type AdConfiguration,
  BatchGetChannelCommand,
  BatchGetStreamKeyCommand,
  type Channel,
  GetAdConfigurationCommand,
  GetPlaybackKeyPairCommand,
  GetPlaybackRestrictionPolicyCommand,
  GetRecordingConfigurationCommand,
  type IvsClient,
  ListStreamKeysCommand,
  type PlaybackKeyPair,
  type PlaybackRestrictionPolicy,
  type RecordingConfiguration,
  type StreamKey,
  type StreamKeySummary,
} from "@aws-sdk/client-ivs";
import type { SnapshotStream } from "../subscriptions/live-state.ts";
import { listLiveStreams } from "../subscriptions/snapshot.ts";
import type { CacheKind, IvsCache } from "./cache.ts";
import { createLookup, type Lookup, type LookupOptions } from "./coalesce.ts";
import { isNotFound } from "./errors.ts";

export interface IvsReadsOptions {
  ivs: IvsClient;
  /** Where IVS data is cached. Default none. */
  cache?: IvsCache;
  /** Coalescing across requests (see createLookup). Default off. */
  coalesce?: { windowMs: number };
  onError?: LookupOptions<unknown>["onError"];
  onLookup?: LookupOptions<unknown>["onLookup"];
}

/** The list kind each resource type's list pages are cached under, by the type named in its ARN. */
const LIST_KIND_OF: Record<string, CacheKind | undefined> = {
  channel: "list:ListChannels",
  // A channel's key list is dropped by the channel, in `changed`.
  "stream-key": undefined,
  "recording-configuration": "list:ListRecordingConfigurations",
  "playback-key-pair": "list:ListPlaybackKeyPairs",
  "playback-restriction-policy": "list:ListPlaybackRestrictionPolicies",
  "ad-configuration": "list:ListAdConfigurations",
};

/** IVS's largest maxResults for ListStreamKeys (its default is 1). */
const LIST_KEYS_MAX = 50;
/** IVS Batch* calls take at most 50 ARNs. */
const IVS_BATCH_LIMIT = 50;

const byArn = <T extends { arn?: string }>(items: T[] | undefined) =>
  new Map((items ?? []).map((item) => [item.arn as string, item]));

/**
 * The process-wide read side of IVS: every lookup the per-request loaders make goes through here, so
 * that concurrent GraphQL requests share IVS calls and cached answers. Without a cache and coalescing
 * (the defaults) it is a plain pass-through.
 */
export function createIvsReads(options: IvsReadsOptions) {
  const { ivs, cache } = options;
  // Every lookup by kind, so that invalidation can reach fetches in flight.
  const registry = new Map<CacheKind, Lookup<unknown>>();
  const lookup = <T>(
    kind: CacheKind,
    maxBatch: number,
    fetch: (keys: string[]) => Promise<Map<string, T | null>>,
  ) => {
    const created = createLookup<T>({
      kind,
      maxBatch,
      fetch,
      ...(cache ? { cache } : {}),
      ...(options.coalesce ? { coalesce: options.coalesce } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onLookup ? { onLookup: options.onLookup } : {}),
    });
    registry.set(kind, created as Lookup<unknown>);
    return created;
  };
  /** One call per key; IVS's "not found" is a null answer, not a failure. */
  const single = <T>(kind: CacheKind, get: (key: string) => Promise<T | undefined>) =>
    lookup<T>(kind, 1, async ([key]) => {
      const k = key as string;
      try {
        return new Map([[k, (await get(k)) ?? null]]);
      } catch (error) {
        if (isNotFound(error)) return new Map([[k, null]]);
        throw error;
      }
    });

  const lookups = {
    channel: lookup<Channel>("channel", IVS_BATCH_LIMIT, async (arns) =>
      byArn((await ivs.send(new BatchGetChannelCommand({ arns }))).channels),
    ),
    streamKey: lookup<StreamKey>("stream-key", IVS_BATCH_LIMIT, async (arns) =>
      byArn((await ivs.send(new BatchGetStreamKeyCommand({ arns }))).streamKeys),
    ),
    /** A channel's key summaries, every page; null for a channel IVS does not know. */
    channelStreamKeys: single<StreamKeySummary[]>("channel-stream-keys", async (channelArn) => {
      const keys: StreamKeySummary[] = [];
      let nextToken: string | undefined;
      do {
        const out = await ivs.send(
          new ListStreamKeysCommand({ channelArn, nextToken, maxResults: LIST_KEYS_MAX }),
        );
        keys.push(...(out.streamKeys ?? []));
        nextToken = out.nextToken || undefined;
      } while (nextToken);
      return keys;
    }),
    recordingConfiguration: single<RecordingConfiguration>(
      "recording-configuration",
      async (arn) => (await ivs.send(new GetRecordingConfigurationCommand({ arn }))).recordingConfiguration,
    ),
    playbackKeyPair: single<PlaybackKeyPair>(
      "playback-key-pair",
      async (arn) => (await ivs.send(new GetPlaybackKeyPairCommand({ arn }))).keyPair,
    ),
    playbackRestrictionPolicy: single<PlaybackRestrictionPolicy>(
      "playback-restriction-policy",
      async (arn) =>
        (await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn }))).playbackRestrictionPolicy,
    ),
    adConfiguration: single<AdConfiguration>(
      "ad-configuration",
      async (arn) => (await ivs.send(new GetAdConfigurationCommand({ arn }))).adConfiguration,
    ),
  };

  // The whole account's live streams, for live status when the event pipeline has fallen behind.
  const liveStreams = single<SnapshotStream[]>("live-streams", () => listLiveStreams(ivs));

  // List pages: the key is the request; the sender of whichever caller starts the fetch makes it.
  // Callers asking for the same page at once share one sender; it goes when the last of them is done.
  const senders = new Map<string, { send: () => Promise<unknown>; users: number }>();
  const listLookup = (kind: CacheKind) =>
    registry.get(kind) ??
    single<unknown>(kind, (key) => {
      const sender = senders.get(`${kind} ${key}`);
      if (!sender) throw new Error(`no request to send for ${kind} ${key}`);
      return sender.send();
    });

  const forget = (kind: CacheKind, keys?: string[]) => registry.get(kind)?.forget(keys);
  const drop = async (kind: CacheKind, keys: string[]) => {
    forget(kind, keys);
    await cache?.drop(kind, keys);
  };
  const bump = async (kind: CacheKind) => {
    forget(kind);
    await cache?.bump(kind);
  };

  return {
    ...lookups,
    /** Whether answers are cached (mutations then do extra work to keep the cache right). */
    caching: cache !== undefined,

    /** Live streams of the account (ListStreams, every page), cached and coalesced like the rest. */
    async liveStreams(): Promise<SnapshotStream[]> {
      const [found] = await liveStreams.loadMany(["all"]);
      if (found instanceof Error) throw found;
      return found ?? [];
    },

    /** One page of a list operation, cached under `kind` by its request. */
    async list<O>(kind: CacheKind, request: object, send: () => Promise<O>): Promise<O> {
      const key = JSON.stringify(request);
      const id = `${kind} ${key}`;
      const sender = senders.get(id) ?? { send, users: 0 };
      sender.users += 1;
      senders.set(id, sender);
      try {
        const [found] = await listLookup(kind).loadMany([key]);
        if (found instanceof Error) throw found;
        return found as O;
      } finally {
        if (--sender.users === 0) senders.delete(id);
      }
    },

    /**
     * The resource named by `arn` was created, changed, tagged or deleted (by this gateway, or as an
     * event reported): its cached copy and every cached list of its type are dropped. A stream key's
     * list is its channel's (`channelArn`, else looked up through the cache).
     */
    async changed(arn: string, channelArn?: string): Promise<void> {
      // The resource type in an ARN is also its cache kind.
      const type = /^arn:aws:ivs:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1] as CacheKind | undefined;
      if (!type || !(type in LIST_KIND_OF)) return;
      let owner = channelArn;
      if (type === "stream-key" && cache && !owner) {
        const [key] = await lookups.streamKey.loadMany([arn]);
        if (!(key instanceof Error)) owner = key?.channelArn;
      }
      const lists = LIST_KIND_OF[type];
      await Promise.all([
        drop(type, [arn]),
        ...(lists ? [bump(lists)] : []),
        // A deleted or recreated channel takes its key list with it; a key is in its channel's list.
        ...(type === "channel" ? [drop("channel-stream-keys", [arn])] : []),
        ...(type === "stream-key" && owner ? [drop("channel-stream-keys", [owner])] : []),
      ]);
    },

    /** A stream started, changed or stopped: the cached live streams and stream lists are out of date. */
    async liveChanged(): Promise<void> {
      await Promise.all([drop("live-streams", ["all"]), bump("list:ListStreams")]);
    },

    /** Stores a resource a mutation returned (not a list page), so the next read need not ask IVS. */
    async prime<T>(kind: CacheKind, key: string, value: T): Promise<void> {
      if (!cache) return;
      forget(kind, [key]);
      await cache.write(kind, [[key, value]]);
    },
  };
}

export type IvsReads = ReturnType<typeof createIvsReads>;
