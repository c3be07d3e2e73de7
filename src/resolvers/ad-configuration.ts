import {
  type AdConfiguration,
  CreateAdConfigurationCommand,
  type CreateAdConfigurationRequest,
  DeleteAdConfigurationCommand,
  InsertAdBreakCommand,
  ListAdConfigurationsCommand,
  UpdateAdConfigurationCommand,
  type UpdateAdConfigurationRequest,
} from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { pageSizeMax } from "../../model/page-size.ts";
import type { GatewayContext } from "../context.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput } from "../ivs/validate.ts";
import type { TagShape } from "../schema/tag.ts";
import { channels } from "./channel.ts";
import type { ConnectionArgs } from "./connection.ts";
import { mirroredConnection } from "./connection.ts";
import { tagsRequest } from "./tags.ts";

/** The largest page ListAdConfigurations serves, from the model. */
const LIST_MAX = pageSizeMax(MODEL, "ListAdConfigurationsRequest");

interface AdFields {
  name?: string | null;
  mediaTailorPlaybackConfigurations?: readonly { playbackConfigurationArn: string }[] | null;
  postRollConfiguration?: { enabled: boolean; durationSeconds: number } | null;
}

/** GraphQL null means "not given": IVS has no null, only an absent member (left unchanged on update). */
function adRequest(input: AdFields) {
  return {
    name: input.name ?? undefined,
    mediaTailorPlaybackConfigurations: input.mediaTailorPlaybackConfigurations?.map((c) => ({
      playbackConfigurationArn: c.playbackConfigurationArn,
    })),
    postRollConfiguration: input.postRollConfiguration ?? undefined,
  };
}

export interface AdBreak {
  adBreakId: string;
  channelArn: string;
  durationSeconds: number;
}

export function adConfiguration(ctx: GatewayContext, args: { arn: string }) {
  return ctx.loaders.adConfiguration.load(args.arn);
}

/** The list returns complete configurations (the summary has every member), so nothing is upgraded. */
export function adConfigurations(ctx: GatewayContext, args: ConnectionArgs) {
  return mirroredConnection<AdConfiguration>(
    ctx.mirror,
    "ad-configuration",
    args,
    LIST_MAX,
    async (nextToken, maxResults) => {
      const request = { nextToken, maxResults };
      const out = await callIvs(() => ctx.ivs.send(new ListAdConfigurationsCommand(request)));
      return { items: (out.adConfigurations ?? []) as AdConfiguration[], nextToken: out.nextToken };
    },
  );
}

/** The channels inserting ads with `config`: ListChannels filtered by its ARN. */
export function adConfigurationChannels(ctx: GatewayContext, config: AdConfiguration, args: ConnectionArgs) {
  return channels(ctx, { ...args, filter: { adConfigurationArn: config.arn } });
}

export async function createAdConfiguration(
  ctx: GatewayContext,
  { input }: { input: AdFields & { tags?: readonly TagShape[] | null } },
): Promise<AdConfiguration> {
  const fields = adRequest(input);
  const request: CreateAdConfigurationRequest = {
    ...fields,
    mediaTailorPlaybackConfigurations: fields.mediaTailorPlaybackConfigurations ?? [],
    tags: tagsRequest(input.tags),
  };
  validateIvsInput("CreateAdConfigurationRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new CreateAdConfigurationCommand(request)));
  const config = out.adConfiguration as AdConfiguration;
  ctx.loaders.adConfiguration.prime(config.arn as string, config);
  ctx.mirror.wrote("ad-configuration", config, out);
  return config;
}

export async function updateAdConfiguration(
  ctx: GatewayContext,
  { input }: { input: AdFields & { arn: string } },
): Promise<AdConfiguration> {
  const request: UpdateAdConfigurationRequest = { arn: input.arn, ...adRequest(input) };
  validateIvsInput("UpdateAdConfigurationRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new UpdateAdConfigurationCommand(request)));
  const config = out.adConfiguration as AdConfiguration;
  ctx.loaders.adConfiguration.clear(input.arn).prime(input.arn, config);
  ctx.mirror.wrote("ad-configuration", config, out);
  return config;
}

export async function deleteAdConfiguration(
  ctx: GatewayContext,
  { input }: { input: { arn: string } },
): Promise<{ arn: string }> {
  validateIvsInput("DeleteAdConfigurationRequest", { arn: input.arn });
  const out = await callIvs(() => ctx.ivs.send(new DeleteAdConfigurationCommand({ arn: input.arn })));
  ctx.loaders.adConfiguration.clear(input.arn);
  ctx.mirror.removed("ad-configuration", input.arn, out);
  return { arn: input.arn };
}

/** Inserts an ad break into a live channel that has an ad configuration. */
export async function insertAdBreak(
  ctx: GatewayContext,
  { input }: { input: { channelArn: string; durationSeconds: number } },
): Promise<AdBreak> {
  const request = { channelArn: input.channelArn, durationSeconds: input.durationSeconds };
  validateIvsInput("InsertAdBreakRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new InsertAdBreakCommand(request)));
  return { ...request, adBreakId: out.adBreakId as string };
}
