import { noteEventId, resumeFrom } from "../http/transport-sse.ts";
import type { LiveUpdate, RelayedEntry } from "../live/live-hub.ts";
import { watchChannelLiveStatus, watchStreamEvents } from "../resolvers/live.ts";
import { builder } from "./builder.ts";

const LiveStatusEnum = builder.enumType("LiveStatus", { values: ["LIVE", "OFFLINE"] as const });
const LiveStatusSource = builder.enumType("LiveStatusSource", {
  description: "What caused the latest change: an IVS event, or reconciliation with ListStreams.",
  values: ["EVENT", "RECONCILIATION"] as const,
});
const LiveHealth = builder.enumType("LiveStreamHealth", {
  values: ["HEALTHY", "STARVING", "UNKNOWN"] as const,
});
const RecordingStatusEnum = builder.enumType("LiveRecordingStatus", {
  values: ["STARTED", "ENDED", "START_FAILED", "END_FAILED"] as const,
});
const IvsEventKindEnum = builder.enumType("IvsEventKind", {
  values: ["STREAM_STATE", "STREAM_HEALTH", "RECORDING_STATE", "LIMIT_BREACH"] as const,
});

const ChannelLiveStatus = builder.objectRef<LiveUpdate>("ChannelLiveStatus").implement({
  description: "A channel's live status as the gateway knows it from IVS events and reconciliation.",
  authScopes: (s) => ({ channel: s.channelArn }),
  fields: (t) => ({
    channelArn: t.exposeString("channelArn"),
    status: t.field({ type: LiveStatusEnum, resolve: (s) => s.status }),
    isLive: t.boolean({ resolve: (s) => s.status === "LIVE" }),
    streamId: t.exposeString("streamId", { nullable: true }),
    startTime: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (s) => (s.startTime ? new Date(s.startTime) : null),
    }),
    health: t.field({ type: LiveHealth, nullable: true, resolve: (s) => s.health }),
    viewerCount: t.int({
      nullable: true,
      description: "From ListStreams; -1 when IVS timed out counting.",
      resolve: (s) => s.viewerCount,
    }),
    recordingStatus: t.field({ type: RecordingStatusEnum, nullable: true, resolve: (s) => s.recording }),
    updatedAt: t.field({ type: "DateTime", resolve: (s) => new Date(s.updatedAt || Date.now()) }),
    source: t.field({ type: LiveStatusSource, resolve: (s) => s.source }),
    version: t.int({
      description: "Increases with every change of this channel's status.",
      resolve: (s) => s.version,
    }),
    deleted: t.boolean({
      description: "True on the last update of a deleted channel.",
      resolve: (s) => s.deleted,
    }),
  }),
});

type Kind = RelayedEntry["event"]["kind"];
/** The event of an entry whose kind `isTypeOf` has already checked. */
const of = <K extends Kind>(_kind: K, e: RelayedEntry) =>
  e.event as Extract<RelayedEntry["event"], { kind: K }>;

const IvsEventFields = builder.interfaceRef<RelayedEntry>("IvsEventFields").implement({
  description: "What every relayed IVS event carries.",
  // Account-level events (limit breaches without a channel) are no tenant's.
  authScopes: (e) => (e.event.channelArn ? { channel: e.event.channelArn } : { allTenants: true }),
  fields: (t) => ({
    id: t.string({
      description: "Position in the gateway's event log; pass as lastEventId to resume.",
      resolve: (e) => e.logId,
    }),
    eventId: t.string({ description: "The EventBridge event id.", resolve: (e) => e.event.id }),
    time: t.field({ type: "DateTime", resolve: (e) => new Date(e.event.time) }),
    channelArn: t.string({
      nullable: true,
      description: "Null for account-level limit breaches.",
      resolve: (e) => e.event.channelArn,
    }),
    channelName: t.string({ nullable: true, resolve: (e) => e.event.channelName }),
    region: t.string({ resolve: (e) => e.event.region }),
    account: t.string({ resolve: (e) => e.event.account }),
  }),
});

const isKind = (kind: Kind) => (value: unknown) => (value as RelayedEntry).event?.kind === kind;

const StreamStateEvent = builder.objectRef<RelayedEntry>("StreamStateEvent").implement({
  description: "IVS Stream State Change (Session Created, Stream Start, Stream End, ...).",
  interfaces: [IvsEventFields],
  isTypeOf: isKind("STREAM_STATE"),
  fields: (t) => ({
    streamId: t.string({ resolve: (e) => of("STREAM_STATE", e).streamId }),
    eventName: t.string({ resolve: (e) => of("STREAM_STATE", e).eventName }),
    code: t.string({ nullable: true, resolve: (e) => of("STREAM_STATE", e).code }),
    reason: t.string({ nullable: true, resolve: (e) => of("STREAM_STATE", e).reason }),
  }),
});
const StreamHealthEvent = builder.objectRef<RelayedEntry>("StreamHealthEvent").implement({
  description: "IVS Stream Health Change (Starvation Start, Starvation End).",
  interfaces: [IvsEventFields],
  isTypeOf: isKind("STREAM_HEALTH"),
  fields: (t) => ({
    streamId: t.string({ resolve: (e) => of("STREAM_HEALTH", e).streamId }),
    eventName: t.string({ resolve: (e) => of("STREAM_HEALTH", e).eventName }),
  }),
});
const RecordingStateEvent = builder.objectRef<RelayedEntry>("RecordingStateEvent").implement({
  description: "IVS Recording State Change.",
  interfaces: [IvsEventFields],
  isTypeOf: isKind("RECORDING_STATE"),
  fields: (t) => ({
    streamId: t.string({ resolve: (e) => of("RECORDING_STATE", e).streamId }),
    recordingStatus: t.string({ resolve: (e) => of("RECORDING_STATE", e).recordingStatus }),
    reason: t.string({ nullable: true, resolve: (e) => of("RECORDING_STATE", e).reason }),
    s3BucketName: t.string({ nullable: true, resolve: (e) => of("RECORDING_STATE", e).s3BucketName }),
    s3KeyPrefix: t.string({ nullable: true, resolve: (e) => of("RECORDING_STATE", e).s3KeyPrefix }),
    durationMs: t.float({ nullable: true, resolve: (e) => of("RECORDING_STATE", e).durationMs }),
    recordingSessionId: t.string({
      nullable: true,
      resolve: (e) => of("RECORDING_STATE", e).recordingSessionId,
    }),
    sessionStreamIds: t.stringList({ resolve: (e) => of("RECORDING_STATE", e).sessionStreamIds }),
  }),
});
const LimitBreachEvent = builder.objectRef<RelayedEntry>("LimitBreachEvent").implement({
  description: "IVS Limit Breach, channel level (ingest bitrate or resolution) or account level.",
  interfaces: [IvsEventFields],
  isTypeOf: isKind("LIMIT_BREACH"),
  fields: (t) => ({
    streamId: t.string({ nullable: true, resolve: (e) => of("LIMIT_BREACH", e).streamId }),
    limitName: t.string({ resolve: (e) => of("LIMIT_BREACH", e).limitName }),
    limitValue: t.float({ nullable: true, resolve: (e) => of("LIMIT_BREACH", e).limitValue }),
    exceededBy: t.float({ nullable: true, resolve: (e) => of("LIMIT_BREACH", e).exceededBy }),
    limitUnit: t.string({ nullable: true, resolve: (e) => of("LIMIT_BREACH", e).limitUnit }),
  }),
});

const IvsEvent = builder.unionType("IvsEvent", {
  description: "An IVS EventBridge event relayed by the gateway.",
  types: [StreamStateEvent, StreamHealthEvent, RecordingStateEvent, LimitBreachEvent],
});

const StreamEventsFilter = builder.inputType("StreamEventsFilter", {
  fields: (t) => ({
    channelArns: t.stringList({
      required: false,
      description: "Only events of these channels (at most 100).",
    }),
    kinds: t.field({ type: [IvsEventKindEnum], required: false, description: "Only these kinds of event." }),
  }),
});

builder.subscriptionType({ authScopes: { "ivs:read": true } });

builder.subscriptionFields((t) => ({
  channelLiveStatus: t.field({
    type: ChannelLiveStatus,
    description:
      "The current live status of each channel, then every change. Completes when all the channels are deleted.",
    args: { arns: t.arg.stringList({ required: true, description: "Channel ARNs (1 to 100)." }) },
    subscribe: (_root, args, ctx) => watchChannelLiveStatus(ctx, args.arns),
    resolve: (update) => update as LiveUpdate,
  }),
  streamEvents: t.field({
    type: IvsEvent,
    description:
      "Relayed IVS events, filtered on the server. With lastEventId (the `id` of the last event seen), first replays what was missed within the retention window.",
    args: {
      filter: t.arg({ type: StreamEventsFilter, required: false }),
      lastEventId: t.arg.string({ required: false }),
    },
    // Over SSE, a reconnecting EventSource's Last-Event-ID header wins (src/http/transport-sse.ts).
    subscribe: (_root, args, ctx) =>
      watchStreamEvents(ctx, args.filter ?? {}, resumeFrom(ctx, args.lastEventId)),
    resolve: (entry, _args, ctx) => {
      noteEventId(ctx, (entry as RelayedEntry).logId);
      return entry as RelayedEntry;
    },
  }),
}));
