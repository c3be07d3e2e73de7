import type {
  BatchGetChannelRequest,
  CreateChannelRequest,
  DeleteChannelRequest,
  GetChannelRequest,
  ListChannelsRequest,
  UpdateChannelRequest,
} from "@aws-sdk/client-ivs";
import { conflict, notFound, quotaExceeded, validation } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { Channel } from "../state/types.ts";
import { type OperationContext, op } from "./context.ts";
import { newStreamKey } from "./stream-key.ts";

const ADVANCED = new Set(["ADVANCED_SD", "ADVANCED_HD"]);

export function getChannel(ctx: OperationContext, arn: string): Channel {
  const channel = ctx.store.channels.get(arn);
  if (!channel) throw notFound(arn);
  return channel;
}

export function channelSummary(c: Channel) {
  return {
    arn: c.arn,
    name: c.name,
    latencyMode: c.latencyMode,
    authorized: c.authorized,
    recordingConfigurationArn: c.recordingConfigurationArn,
    tags: c.tags,
    insecureIngest: c.insecureIngest,
    type: c.type,
    preset: c.preset,
    playbackRestrictionPolicyArn: c.playbackRestrictionPolicyArn,
    adConfigurationArn: c.adConfigurationArn,
  };
}

/** ARNs a channel refers to must exist; `""` detaches. */
function checkReferences(ctx: OperationContext, input: CreateChannelRequest | UpdateChannelRequest): void {
  const { store } = ctx;
  const refs: [string | undefined, Map<string, unknown>][] = [
    [input.recordingConfigurationArn, store.recordingConfigurations],
    [input.playbackRestrictionPolicyArn, store.playbackRestrictionPolicies],
    [input.adConfigurationArn, store.adConfigurations],
  ];
  for (const [arn, map] of refs) if (arn && !map.has(arn)) throw notFound(arn);
}

/** Rules the model states in prose: presets only for ADVANCED_*, multitrack only on STANDARD with fMP4. */
function checkChannelRules(c: Channel, presetGiven: boolean): void {
  if (presetGiven && c.preset !== "" && !ADVANCED.has(c.type))
    throw validation(`preset can only be set on ADVANCED_SD or ADVANCED_HD channels, not ${c.type}`);
  const mt = c.multitrackInputConfiguration;
  if (mt.enabled) {
    if (c.type !== "STANDARD")
      throw validation("multitrackInputConfiguration can only be enabled on STANDARD channels");
    if (c.containerFormat !== "FRAGMENTED_MP4")
      throw validation("multitrackInputConfiguration requires containerFormat FRAGMENTED_MP4");
  }
}

function defaultPreset(type: Channel["type"]): Channel["preset"] {
  return ADVANCED.has(type) ? "HIGHER_BANDWIDTH_DELIVERY" : "";
}

function multitrack(
  input: CreateChannelRequest["multitrackInputConfiguration"],
  current?: Channel["multitrackInputConfiguration"],
) {
  const base = current ?? { enabled: false, policy: "ALLOW" as const, maximumResolution: "FULL_HD" as const };
  if (!input) return base;
  if (input.enabled && (!input.policy || !input.maximumResolution))
    throw validation(
      "multitrackInputConfiguration.policy and maximumResolution are required when enabled is true",
    );
  return {
    enabled: input.enabled ?? base.enabled,
    policy: (input.policy ?? base.policy) as Channel["multitrackInputConfiguration"]["policy"],
    maximumResolution: (input.maximumResolution ??
      base.maximumResolution) as Channel["multitrackInputConfiguration"]["maximumResolution"],
  };
}

export const channelOperations = {
  CreateChannel: op<CreateChannelRequest>((input, ctx) => {
    if (ctx.store.channels.size >= ctx.limits.channels)
      throw quotaExceeded(`Maximum number of channels (${ctx.limits.channels}) reached for this account`);
    checkReferences(ctx, input);
    const arn = ctx.ids.arn("channel");
    const type = (input.type ?? "STANDARD") as Channel["type"];
    const channel: Channel = {
      arn,
      name: input.name ?? "",
      latencyMode: (input.latencyMode ?? "LOW") as Channel["latencyMode"],
      type,
      recordingConfigurationArn: input.recordingConfigurationArn ?? "",
      ingestEndpoint: ctx.ids.ingestEndpoint(),
      playbackUrl: ctx.ids.playbackUrl(arn),
      authorized: input.authorized ?? false,
      tags: { ...(input.tags ?? {}) },
      insecureIngest: input.insecureIngest ?? false,
      preset: (input.preset ?? defaultPreset(type)) as Channel["preset"],
      srt: { endpoint: ctx.ids.srtEndpoint(), passphrase: ctx.ids.srtPassphrase() },
      playbackRestrictionPolicyArn: input.playbackRestrictionPolicyArn ?? "",
      multitrackInputConfiguration: multitrack(input.multitrackInputConfiguration),
      containerFormat: (input.containerFormat ?? "TS") as Channel["containerFormat"],
      adConfigurationArn: input.adConfigurationArn ?? "",
    };
    checkChannelRules(channel, input.preset !== undefined);
    ctx.store.channels.set(arn, channel);
    ctx.store.orderOf(arn);
    const streamKey = newStreamKey(ctx, arn, {});
    return { channel, streamKey };
  }),

  GetChannel: op<GetChannelRequest>((input, ctx) => ({ channel: getChannel(ctx, input.arn as string) })),

  BatchGetChannel: op<BatchGetChannelRequest>((input, ctx) => {
    const channels: Channel[] = [];
    const errors: { arn: string; code: string; message: string }[] = [];
    for (const arn of new Set(input.arns)) {
      const channel = ctx.store.channels.get(arn);
      if (channel) channels.push(channel);
      else errors.push({ arn, code: "ResourceNotFoundException", message: `Resource: ${arn} not found` });
    }
    return { channels, errors };
  }),

  ListChannels: op<ListChannelsRequest>((input, ctx) => {
    const filters = [
      input.filterByName,
      input.filterByRecordingConfigurationArn,
      input.filterByPlaybackRestrictionPolicyArn,
      input.filterByAdConfigurationArn,
    ].filter((f) => f !== undefined && f !== "");
    if (filters.length > 1) throw conflict("Only one of the filterBy* parameters can be specified at a time");
    const matches = [...ctx.store.channels.values()].filter(
      (c) =>
        (!input.filterByName || c.name === input.filterByName) &&
        (!input.filterByRecordingConfigurationArn ||
          c.recordingConfigurationArn === input.filterByRecordingConfigurationArn) &&
        (!input.filterByPlaybackRestrictionPolicyArn ||
          c.playbackRestrictionPolicyArn === input.filterByPlaybackRestrictionPolicyArn) &&
        (!input.filterByAdConfigurationArn || c.adConfigurationArn === input.filterByAdConfigurationArn),
    );
    const page = paginate("ListChannels", matches, (c) => ctx.store.orderOf(c.arn), input, 100);
    return { channels: page.items.map(channelSummary), nextToken: page.nextToken };
  }),

  UpdateChannel: op<UpdateChannelRequest>((input, ctx) => {
    const current = getChannel(ctx, input.arn as string);
    if (ctx.store.streams.has(current.arn))
      throw conflict(`Channel: ${current.arn} is live and cannot be updated`);
    checkReferences(ctx, input);
    const type = (input.type ?? current.type) as Channel["type"];
    const typeChanged = type !== current.type;
    const next: Channel = {
      ...current,
      name: input.name ?? current.name,
      latencyMode: (input.latencyMode ?? current.latencyMode) as Channel["latencyMode"],
      type,
      authorized: input.authorized ?? current.authorized,
      recordingConfigurationArn: input.recordingConfigurationArn ?? current.recordingConfigurationArn,
      insecureIngest: input.insecureIngest ?? current.insecureIngest,
      preset: (input.preset ?? (typeChanged ? defaultPreset(type) : current.preset)) as Channel["preset"],
      playbackRestrictionPolicyArn:
        input.playbackRestrictionPolicyArn ?? current.playbackRestrictionPolicyArn,
      multitrackInputConfiguration: multitrack(
        input.multitrackInputConfiguration,
        current.multitrackInputConfiguration,
      ),
      containerFormat: (input.containerFormat ?? current.containerFormat) as Channel["containerFormat"],
      adConfigurationArn: input.adConfigurationArn ?? current.adConfigurationArn,
    };
    checkChannelRules(next, input.preset !== undefined);
    ctx.store.channels.set(next.arn, next);
    return { channel: next };
  }),

  DeleteChannel: op<DeleteChannelRequest>((input, ctx) => {
    const channel = getChannel(ctx, input.arn as string);
    if (ctx.store.streams.has(channel.arn))
      throw conflict(
        `Channel: ${channel.arn} is live; stop the stream and wait for Stream End before deleting it`,
      );
    for (const key of ctx.store.keysOfChannel(channel.arn)) {
      ctx.store.streamKeys.delete(key.arn);
      ctx.store.forget(key.arn);
    }
    ctx.store.channels.delete(channel.arn);
    ctx.store.sessions.delete(channel.arn);
    ctx.store.forget(channel.arn);
  }),
};
