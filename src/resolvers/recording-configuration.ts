import {
  CreateRecordingConfigurationCommand,
  type CreateRecordingConfigurationRequest,
  DeleteRecordingConfigurationCommand,
  ListRecordingConfigurationsCommand,
  type RecordingConfiguration,
  type RecordingConfigurationSummary,
  type RenditionConfiguration,
  type ThumbnailConfiguration,
} from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { pageSizeMax } from "../../model/page-size.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput } from "../ivs/validate.ts";
import type { TagShape } from "../schema/tag.ts";
import { channels } from "./channel.ts";
import { type ConnectionArgs, isListSummary, mirroredConnection } from "./connection.ts";
import { defined } from "./input.ts";
import { tagsRequest } from "./tags.ts";

/** What the RecordingConfiguration type resolves from: a full object, or a list summary. */
export type RecordingConfigurationShape = RecordingConfiguration | RecordingConfigurationSummary;

/** The largest page ListRecordingConfigurations serves, from the model. */
const LIST_MAX = pageSizeMax(MODEL, "ListRecordingConfigurationsRequest");

export function recordingConfiguration(ctx: GatewayContext, args: { arn: string }) {
  return ctx.loaders.recordingConfiguration.load(args.arn);
}

export function recordingConfigurations(ctx: GatewayContext, args: ConnectionArgs) {
  return mirroredConnection<RecordingConfigurationShape>(
    ctx.mirror,
    "recording-configuration",
    args,
    LIST_MAX,
    async (nextToken, maxResults) => {
      const request = { nextToken, maxResults };
      const out = await callIvs(() => ctx.ivs.send(new ListRecordingConfigurationsCommand(request)));
      const items = out.recordingConfigurations ?? [];
      return { items, nextToken: out.nextToken };
    },
  );
}

/**
 * The full configuration behind `rc`: itself, or for a list summary one GetRecordingConfiguration,
 * shared by every full-only field of every summary with that ARN in the request.
 */
export async function fullRecordingConfiguration(
  ctx: GatewayContext,
  rc: RecordingConfigurationShape,
): Promise<RecordingConfiguration> {
  if (!isListSummary(rc)) return rc;
  const full = await ctx.loaders.recordingConfiguration.load(rc.arn as string);
  if (!full) throw new NotFoundError(`Recording configuration ${rc.arn} no longer exists`, rc.arn);
  return full;
}

/** The channels recording with `rc`: ListChannels filtered by its ARN. */
export function recordingConfigurationChannels(
  ctx: GatewayContext,
  rc: RecordingConfigurationShape,
  args: ConnectionArgs,
) {
  return channels(ctx, { ...args, filter: { recordingConfigurationArn: rc.arn } });
}

export interface CreateRecordingConfigurationInput {
  name?: string | null;
  destinationConfiguration: { s3: { bucketName: string } };
  thumbnailConfiguration?: {
    recordingMode?: ThumbnailConfiguration["recordingMode"] | null;
    targetIntervalSeconds?: number | null;
    resolution?: ThumbnailConfiguration["resolution"] | null;
    storage?: ThumbnailConfiguration["storage"] | null;
  } | null;
  recordingReconnectWindowSeconds?: number | null;
  renditionConfiguration?: {
    renditionSelection?: RenditionConfiguration["renditionSelection"] | null;
    renditions?: RenditionConfiguration["renditions"] | null;
  } | null;
  tags?: readonly TagShape[] | null;
}

export async function createRecordingConfiguration(
  ctx: GatewayContext,
  { input }: { input: CreateRecordingConfigurationInput },
): Promise<RecordingConfiguration> {
  const request: CreateRecordingConfigurationRequest = {
    name: input.name ?? undefined,
    destinationConfiguration: { s3: { bucketName: input.destinationConfiguration.s3.bucketName } },
    thumbnailConfiguration: defined(input.thumbnailConfiguration),
    recordingReconnectWindowSeconds: input.recordingReconnectWindowSeconds ?? undefined,
    renditionConfiguration: defined(input.renditionConfiguration),
    tags: tagsRequest(input.tags),
  };
  validateIvsInput("CreateRecordingConfigurationRequest", request);
  // A rule of the model's documentation, not of its constraints, which IVS (and the emulator) enforce.
  const renditions = request.renditionConfiguration;
  if (renditions?.renditionSelection === "CUSTOM" && !renditions.renditions?.length)
    throw new ValidationError(
      "renditionConfiguration.renditions must list at least one rendition when renditionSelection is CUSTOM",
      "input.renditionConfiguration.renditions",
    );
  const out = await callIvs(() => ctx.ivs.send(new CreateRecordingConfigurationCommand(request)));
  const created = out.recordingConfiguration as RecordingConfiguration;
  ctx.loaders.recordingConfiguration.prime(created.arn as string, created);
  // CREATING now and ACTIVE soon, which only IVS can tell: the mirror asks it again until then.
  ctx.mirror.wrote("recording-configuration", created, out);
  return created;
}

export async function deleteRecordingConfiguration(
  ctx: GatewayContext,
  { input }: { input: { arn: string } },
): Promise<{ arn: string }> {
  validateIvsInput("DeleteRecordingConfigurationRequest", { arn: input.arn });
  const out = await callIvs(() => ctx.ivs.send(new DeleteRecordingConfigurationCommand({ arn: input.arn })));
  ctx.loaders.recordingConfiguration.clear(input.arn);
  ctx.mirror.removed("recording-configuration", input.arn, out);
  return { arn: input.arn };
}
