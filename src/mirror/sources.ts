import {
  BatchGetChannelCommand,
  BatchGetStreamKeyCommand,
  GetAdConfigurationCommand,
  GetPlaybackKeyPairCommand,
  GetPlaybackRestrictionPolicyCommand,
  GetRecordingConfigurationCommand,
  GetStreamSessionCommand,
  type IvsClient,
  ListAdConfigurationsCommand,
  ListChannelsCommand,
  ListPlaybackKeyPairsCommand,
  ListPlaybackRestrictionPoliciesCommand,
  ListRecordingConfigurationsCommand,
  ListStreamKeysCommand,
  ListStreamSessionsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ivs";
import { isNotFound } from "../ivs/errors.ts";
import type { Kind, Resource, SessionSummary } from "./changes.ts";

/** IVS's largest page of every account-level list (and of ListStreamSessions). */
const PAGE = 100;
/** ListStreamKeys takes at most 50 (its default is 1). */
const KEY_PAGE = 50;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Kinds fetched one ARN at a time (IVS has no batch call for them). */
export type SingleKind = Exclude<Kind, "channel" | "stream-key">;
export type BatchKind = "channel" | "stream-key";

/** Kinds listed account-wide. */
export type ListKind = Exclude<Kind, "stream-key">;

type Answer = Record<string, unknown>;

/** Each account-level list: its command, and the answer member holding the items. */
const LISTS: Record<
  ListKind,
  {
    send: (ivs: IvsClient, input: { nextToken?: string; maxResults: number }) => Promise<object>;
    member: string;
  }
> = {
  channel: { send: (ivs, i) => ivs.send(new ListChannelsCommand(i)), member: "channels" },
  "recording-configuration": {
    send: (ivs, i) => ivs.send(new ListRecordingConfigurationsCommand(i)),
    member: "recordingConfigurations",
  },
  "playback-key-pair": { send: (ivs, i) => ivs.send(new ListPlaybackKeyPairsCommand(i)), member: "keyPairs" },
  "playback-restriction-policy": {
    send: (ivs, i) => ivs.send(new ListPlaybackRestrictionPoliciesCommand(i)),
    member: "playbackRestrictionPolicies",
  },
  "ad-configuration": {
    send: (ivs, i) => ivs.send(new ListAdConfigurationsCommand(i)),
    member: "adConfigurations",
  },
};

/** Each kind read one ARN at a time: its Get command, and the answer member holding the object. */
const GETS: Record<
  SingleKind,
  { send: (ivs: IvsClient, input: { arn: string }) => Promise<object>; member: string }
> = {
  "recording-configuration": {
    send: (ivs, i) => ivs.send(new GetRecordingConfigurationCommand(i)),
    member: "recordingConfiguration",
  },
  "playback-key-pair": { send: (ivs, i) => ivs.send(new GetPlaybackKeyPairCommand(i)), member: "keyPair" },
  "playback-restriction-policy": {
    send: (ivs, i) => ivs.send(new GetPlaybackRestrictionPolicyCommand(i)),
    member: "playbackRestrictionPolicy",
  },
  "ad-configuration": {
    send: (ivs, i) => ivs.send(new GetAdConfigurationCommand(i)),
    member: "adConfiguration",
  },
};

/** An answer's next-page token; IVS ends a list with an absent or empty one. */
const next = (out: Answer) => (typeof out.nextToken === "string" && out.nextToken) || undefined;

/** JSON-safe copy (Dates become ISO strings), as changes travel between replicas. */
const plain = <T>(value: T): Resource => JSON.parse(JSON.stringify(value)) as Resource;

/** Null for IVS's "not found"; anything else is thrown. */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * How each kind is read from IVS: one place for the commands, their page sizes and answer members,
 * used by the sync loop and by lookups of what the mirror lacks.
 */
export function ivsSources(ivs: IvsClient) {
  return {
    /** One page of an account-level list (summaries). */
    async listPage(kind: ListKind, nextToken?: string): Promise<Page<Resource>> {
      const { send, member } = LISTS[kind];
      const out = (await send(ivs, { nextToken, maxResults: PAGE })) as Answer;
      return { items: ((out[member] as object[] | undefined) ?? []).map(plain), nextToken: next(out) };
    },

    /** Full objects of ≤ 50 channels or stream keys; a missing ARN is null. */
    async batchGet(kind: BatchKind, arns: string[]): Promise<Map<string, Resource | null>> {
      const items =
        kind === "channel"
          ? (await ivs.send(new BatchGetChannelCommand({ arns }))).channels
          : (await ivs.send(new BatchGetStreamKeyCommand({ arns }))).streamKeys;
      const found = new Map<string, Resource | null>(arns.map((arn) => [arn, null]));
      for (const item of items ?? []) if (item.arn) found.set(item.arn, plain(item));
      return found;
    },

    /** One full object of a kind without a batch call; null when IVS has none. */
    async get(kind: SingleKind, arn: string): Promise<Resource | null> {
      const { send, member } = GETS[kind];
      const out = (await orNull(send(ivs, { arn }))) as Answer | null;
      const found = out?.[member];
      return found ? plain(found) : null;
    },

    /** A channel's key summaries, every page; null for a channel IVS does not know. */
    async listKeys(channelArn: string): Promise<Resource[] | null> {
      const keys: Resource[] = [];
      let nextToken: string | undefined;
      do {
        const out = await orNull(
          ivs.send(new ListStreamKeysCommand({ channelArn, nextToken, maxResults: KEY_PAGE })),
        );
        if (!out) return null;
        keys.push(...(out.streamKeys ?? []).map(plain));
        nextToken = out.nextToken || undefined;
      } while (nextToken);
      return keys;
    },

    /** One page of a channel's sessions, newest first; null for a channel IVS does not know. */
    async listSessions(
      channelArn: string,
      nextToken?: string,
      maxResults = PAGE,
    ): Promise<Page<SessionSummary> | null> {
      const out = await orNull(
        ivs.send(new ListStreamSessionsCommand({ channelArn, nextToken, maxResults })),
      );
      if (!out) return null;
      const items = (out.streamSessions ?? [])
        .filter((s) => s.streamId)
        .map((s) => ({
          streamId: s.streamId as string,
          ...(s.startTime ? { startTime: s.startTime.getTime() } : {}),
          ...(s.endTime ? { endTime: s.endTime.getTime() } : {}),
          hasErrorEvent: s.hasErrorEvent ?? false,
        }));
      return { items, nextToken: out.nextToken || undefined };
    },

    /** A session's details (the latest one without `streamId`), JSON-safe; null when there is none. */
    async getSession(channelArn: string, streamId?: string): Promise<Resource | null> {
      const out = await orNull(ivs.send(new GetStreamSessionCommand({ channelArn, streamId })));
      return out?.streamSession ? plain(out.streamSession) : null;
    },

    /** A resource's tags; null when the ARN names nothing. */
    async listTags(arn: string): Promise<Record<string, string> | null> {
      const out = await orNull(ivs.send(new ListTagsForResourceCommand({ resourceArn: arn })));
      return out ? (out.tags ?? {}) : null;
    },
  };
}

export type IvsSources = ReturnType<typeof ivsSources>;
