/**
 * What changes the mirror: every source (the sync loop, the gateway's own mutations, IVS events,
 * CloudTrail events, lookups of what was missing) speaks in these changes, and every replica applies
 * the same ones. Each carries `at`, the time (epoch ms) its data was observed; the store keeps, per
 * resource, whatever was observed last, so applying changes twice or out of order ends in the same state.
 * Plain JSON: changes travel through Redis between replicas.
 */

/** The resources the mirror holds, by the type named in their ARNs (except playback-key-pair). */
export type Kind =
  | "channel"
  | "stream-key"
  | "recording-configuration"
  | "playback-key-pair"
  | "playback-restriction-policy"
  | "ad-configuration";

export const KINDS: readonly Kind[] = [
  "channel",
  "stream-key",
  "recording-configuration",
  "playback-key-pair",
  "playback-restriction-policy",
  "ad-configuration",
];

const KIND_OF_ARN_TYPE: Record<string, Kind> = {
  channel: "channel",
  "stream-key": "stream-key",
  "recording-configuration": "recording-configuration",
  // IVS names key pairs `playback-key` in their ARNs.
  "playback-key": "playback-key-pair",
  "playback-restriction-policy": "playback-restriction-policy",
  "ad-configuration": "ad-configuration",
};

/** `arn:aws:ivs:<region>:<account>:<type>/<id>` → its kind, or undefined for anything else. */
export function kindOfArn(arn: string): Kind | undefined {
  const type = /^arn:aws[a-z-]*:ivs:[^:]*:[^:]*:([a-z-]+)\/[A-Za-z0-9-]+$/.exec(arn)?.[1];
  return type ? KIND_OF_ARN_TYPE[type] : undefined;
}

/** A resource as IVS describes it: list summaries, or full objects from Get*, Batch* and mutations. */
export type Resource = { arn?: string; tags?: Record<string, string> } & Record<string, unknown>;

/** One stream session as ListStreamSessions describes it; times in epoch ms. */
export interface SessionSummary {
  streamId: string;
  startTime?: number;
  endTime?: number;
  hasErrorEvent?: boolean;
}

export type MirrorChange =
  /** Resources as observed; `full` objects also carry the members summaries lack. */
  | { op: "put"; kind: Kind; part: "summary" | "full"; at: number; items: Resource[] }
  /** Tags changed: `replace` is the whole set (read back from IVS); `set`/`remove` a CloudTrail delta. */
  | {
      op: "tags";
      kind: Kind;
      arn: string;
      at: number;
      replace?: Record<string, string>;
      set?: Record<string, string>;
      remove?: string[];
    }
  /** Gone for good (IVS said so): ARNs are never reused, so nothing older brings them back. */
  | { op: "delete"; kind: Kind; arns: string[]; at: number }
  /** Channels' complete key lists (ListStreamKeys, every page): keys not listed are gone. */
  | { op: "keys"; at: number; lists: { channelArn: string; keys: Resource[] }[] }
  /** A complete list pass of `kind` that started at `at` finished: the kind is mirrored. */
  | { op: "listed"; kind: Kind; at: number }
  /** The newest sessions of a channel (ListStreamSessions' first page); `complete` when IVS has no more. */
  | { op: "sessions"; channelArn: string; at: number; sessions: SessionSummary[]; complete: boolean }
  /** One session's details (GetStreamSession), times as ISO strings as in JSON. */
  | { op: "session"; channelArn: string; at: number; detail: Record<string, unknown> }
  /** A write this gateway made (its IVS request id): its CloudTrail event needs no confirming. */
  | { op: "own-write"; requestId: string; at: number }
  /**
   * What an IVS event says about a session (from the live event pipeline), or with `startTime` what a
   * reconciliation saw live (ListStreams' start).
   */
  | {
      op: "session-event";
      channelArn: string;
      streamId: string;
      at: number;
      started?: boolean;
      ended?: boolean;
      error?: boolean;
      startTime?: number;
      /** When this replica received the event: details fetched later include it. */
      seenAt?: number;
    };

/** An SDK object (a Channel, a StreamKey, ...) as the mirror holds it. */
export function asResource(value: object): Resource {
  return value as Resource;
}
