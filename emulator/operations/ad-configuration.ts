import type {
  CreateAdConfigurationRequest,
  DeleteAdConfigurationRequest,
  GetAdConfigurationRequest,
  InsertAdBreakRequest,
  ListAdConfigurationsRequest,
  UpdateAdConfigurationRequest,
} from "@aws-sdk/client-ivs";
import { conflict, notBroadcasting, notFound, quotaExceeded } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { AdConfiguration } from "../state/types.ts";
import { getChannel } from "./channel.ts";
import { type OperationContext, op } from "./context.ts";

/** Model text: "Default: disabled (enabled set to false, durationSeconds set to 15)". */
const postRoll = (p?: { enabled?: boolean; durationSeconds?: number }) => ({
  enabled: p?.enabled ?? false,
  durationSeconds: p?.durationSeconds ?? 15,
});

export function getAdConfiguration(ctx: OperationContext, arn: string): AdConfiguration {
  const config = ctx.store.adConfigurations.get(arn);
  if (!config) throw notFound(arn);
  return config;
}

/** Copies only the modeled members, so stray input keys are not stored and echoed back. */
const playbackConfigurations = (list: { playbackConfigurationArn?: string }[]) =>
  list.map((c) => ({ playbackConfigurationArn: c.playbackConfigurationArn ?? "" }));

export const adConfigurationOperations = {
  CreateAdConfiguration: op<CreateAdConfigurationRequest>((input, ctx) => {
    if (ctx.store.adConfigurations.size >= ctx.limits.adConfigurations)
      throw quotaExceeded(
        `Maximum number of ad configurations (${ctx.limits.adConfigurations}) reached for this account`,
      );
    const config: AdConfiguration = {
      arn: ctx.ids.arn("ad-configuration"),
      name: input.name ?? "",
      mediaTailorPlaybackConfigurations: playbackConfigurations(
        input.mediaTailorPlaybackConfigurations ?? [],
      ),
      postRollConfiguration: postRoll(input.postRollConfiguration),
      tags: { ...(input.tags ?? {}) },
    };
    ctx.store.adConfigurations.set(config.arn, config);
    ctx.store.orderOf(config.arn);
    return { adConfiguration: config };
  }),

  GetAdConfiguration: op<GetAdConfigurationRequest>((input, ctx) => ({
    adConfiguration: getAdConfiguration(ctx, input.arn as string),
  })),

  ListAdConfigurations: op<ListAdConfigurationsRequest>((input, ctx) => {
    const all = [...ctx.store.adConfigurations.values()];
    const page = paginate("ListAdConfigurations", all, (a) => ctx.store.orderOf(a.arn), input, 100);
    // AdConfigurationSummary has the same members as AdConfiguration.
    return { adConfigurations: page.items, nextToken: page.nextToken };
  }),

  UpdateAdConfiguration: op<UpdateAdConfigurationRequest>((input, ctx) => {
    const current = getAdConfiguration(ctx, input.arn as string);
    const next: AdConfiguration = {
      ...current,
      name: input.name ?? current.name,
      mediaTailorPlaybackConfigurations: input.mediaTailorPlaybackConfigurations
        ? playbackConfigurations(input.mediaTailorPlaybackConfigurations)
        : current.mediaTailorPlaybackConfigurations,
      // Both members are required in PostRollConfiguration, so a supplied one replaces the whole object.
      postRollConfiguration: input.postRollConfiguration
        ? postRoll(input.postRollConfiguration)
        : current.postRollConfiguration,
    };
    ctx.store.adConfigurations.set(next.arn, next);
    return { adConfiguration: next };
  }),

  DeleteAdConfiguration: op<DeleteAdConfigurationRequest>((input, ctx) => {
    const config = getAdConfiguration(ctx, input.arn as string);
    const user = [...ctx.store.channels.values()].find((c) => c.adConfigurationArn === config.arn);
    if (user)
      throw conflict(
        `Ad configuration: ${config.arn} is used by channel: ${user.arn}; set the channel's adConfigurationArn to "" first`,
      );
    ctx.store.adConfigurations.delete(config.arn);
    ctx.store.forget(config.arn);
  }),

  InsertAdBreak: op<InsertAdBreakRequest>((input, ctx) => {
    const channel = getChannel(ctx, input.channelArn as string);
    // A channel without an ad configuration can never take an ad break, live or not, so that permanent
    // problem is reported before the transient "not broadcasting" one.
    if (!channel.adConfigurationArn)
      throw conflict(`Channel: ${channel.arn} has no ad configuration; set adConfigurationArn first`);
    if (!ctx.store.streams.has(channel.arn)) throw notBroadcasting(channel.arn);
    ctx.broadcasts.note(channel.arn, "Ad Break", "IVS Ad Break");
    return { adBreakId: ctx.ids.adBreakId() };
  }),
};
