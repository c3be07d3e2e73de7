import {
  type Channel,
  type ChannelSummary,
  CreateChannelCommand,
  type CreateChannelRequest,
  DeleteChannelCommand,
  ListChannelsCommand,
  type ListChannelsRequest,
  type StreamKey,
  UpdateChannelCommand,
  type UpdateChannelRequest,
} from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { pageSizeMax } from "../../model/page-size.ts";
import { tagsAllow } from "../auth/tenancy.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput, violations } from "../ivs/validate.ts";
import { andThen, type MaybePromise } from "../loaders/memo.ts";
import type { TagShape } from "../schema/tag.ts";
import { type ConnectionArgs, mirroredConnection } from "./connection.ts";
import { defined } from "./input.ts";
import { tagsRequest } from "./tags.ts";

/** What the Channel type resolves from: a full channel, or a ListChannels summary. */
export type ChannelShape = Channel | ChannelSummary;

/** The largest page ListChannels serves, from the model. */
const LIST_MAX = pageSizeMax(MODEL, "ListChannelsRequest");
const ADVANCED = new Set(["ADVANCED_SD", "ADVANCED_HD"]);

/**
 * A summary lacks the members only a full channel has. Judged by shape rather than by where the object
 * came from, so summaries listed anywhere (the configuration types' `channels`) upgrade the same way.
 */
export function isChannelSummary(c: ChannelShape): boolean {
  const full = c as Channel;
  return full.playbackUrl === undefined && full.ingestEndpoint === undefined;
}

/**
 * The full channel behind `c`: itself, or for a list summary its BatchGetChannel copy. Fields call this
 * only when they need a member summaries lack, so a list selecting summary fields costs no batch call.
 */
export function fullChannel(ctx: GatewayContext, c: ChannelShape): MaybePromise<Channel> {
  if (!isChannelSummary(c)) return c as Channel;
  // At once when the mirror holds it (src/loaders/memo.ts): a warm page's fields need no promise.
  return andThen(ctx.loaders.channel.get(c.arn as string), (full) => {
    if (!full) throw new NotFoundError(`Channel ${c.arn} no longer exists`, c.arn);
    return full;
  });
}

/**
 * A channel's SRT passphrase: from the mirror, or (when a source that could not see it left it
 * unknown) from IVS.
 */
export async function srtPassphrase(
  ctx: GatewayContext,
  srt: { passphrase?: string; channelArn: string },
): Promise<string> {
  if (srt.passphrase !== undefined) return srt.passphrase;
  const full = await ctx.loaders.channelSecret.load(srt.channelArn);
  return full?.srt?.passphrase ?? "";
}

/**
 * A channel by ARN through the batch loader, or null. An ARN IVS would reject names no channel, and
 * must not reach the batch: one malformed ARN fails a whole BatchGetChannel, i.e. every key in it.
 */
export async function channel(ctx: GatewayContext, args: { arn: string }): Promise<Channel | null> {
  if (violations("GetChannelRequest", { arn: args.arn }).length > 0) return null;
  const found = await ctx.loaders.channel.load(args.arn);
  // Another tenant's channel reads as missing (src/auth/tenancy.ts).
  return found && tagsAllow(ctx.principal, found.tags) ? found : null;
}

export interface ChannelFilter {
  name?: string | null;
  recordingConfigurationArn?: string | null;
  playbackRestrictionPolicyArn?: string | null;
  adConfigurationArn?: string | null;
}

const FILTER_MEMBERS = {
  name: "filterByName",
  recordingConfigurationArn: "filterByRecordingConfigurationArn",
  playbackRestrictionPolicyArn: "filterByPlaybackRestrictionPolicyArn",
  adConfigurationArn: "filterByAdConfigurationArn",
} as const;

/**
 * GraphQL filter → ListChannels filter members. IVS answers two filters with a ConflictException after
 * a round trip; here it is a ValidationError naming the second one, and costs nothing. An empty string
 * is no filter, as IVS treats it.
 */
export function channelFilter(filter: ChannelFilter | null | undefined): Partial<ListChannelsRequest> {
  const request: Partial<ListChannelsRequest> = {};
  let first: string | undefined;
  for (const [field, member] of Object.entries(FILTER_MEMBERS)) {
    const value = filter?.[field as keyof ChannelFilter];
    if (value === null || value === undefined || value === "") continue;
    if (first)
      throw new ValidationError(
        `Only one channel filter can be given at a time; got filter.${first} and filter.${field}`,
        `filter.${field}`,
      );
    first = field;
    const [violation] = violations("ListChannelsRequest", { [member]: value });
    if (violation)
      throw new ValidationError(
        violation.message.replace(`'${member}'`, `'filter.${field}'`),
        `filter.${field}`,
      );
    request[member] = value;
  }
  return request;
}

/** Whether a channel passes a ListChannels filter, as IVS applies it (exact match). */
function passes(c: ChannelShape, request: Partial<ListChannelsRequest>): boolean {
  return (
    (!request.filterByName || c.name === request.filterByName) &&
    (!request.filterByRecordingConfigurationArn ||
      c.recordingConfigurationArn === request.filterByRecordingConfigurationArn) &&
    (!request.filterByPlaybackRestrictionPolicyArn ||
      c.playbackRestrictionPolicyArn === request.filterByPlaybackRestrictionPolicyArn) &&
    (!request.filterByAdConfigurationArn || c.adConfigurationArn === request.filterByAdConfigurationArn)
  );
}

/**
 * `channels`: a connection over the mirror, in ARN order, with at most one of IVS's four filters and
 * a tenant's channels only. Until the mirror has listed the account once, pages come from ListChannels.
 */
export function channels(ctx: GatewayContext, args: ConnectionArgs & { filter?: ChannelFilter | null }) {
  const filter = channelFilter(args.filter);
  return mirroredConnection<ChannelShape>(
    ctx.mirror,
    "channel",
    args,
    LIST_MAX,
    async (nextToken, maxResults) => {
      const request = { ...filter, nextToken, maxResults };
      const out = await callIvs(() => ctx.ivs.send(new ListChannelsCommand(request)));
      return { items: out.channels ?? [], nextToken: out.nextToken };
    },
    // IVS cannot filter by tag: a tenant sees its own channels only.
    (c) => passes(c, filter) && tagsAllow(ctx.principal, c.tags),
  );
}

type Multitrack = { enabled: boolean; policy?: string | null; maximumResolution?: string | null };

export interface ChannelSettingsInput {
  name?: string | null;
  latencyMode?: Channel["latencyMode"] | null;
  type?: Channel["type"] | null;
  authorized?: boolean | null;
  insecureIngest?: boolean | null;
  preset?: Channel["preset"] | null;
  recordingConfigurationArn?: string | null;
  playbackRestrictionPolicyArn?: string | null;
  adConfigurationArn?: string | null;
  multitrackInputConfiguration?: Multitrack | null;
  containerFormat?: Channel["containerFormat"] | null;
}

export interface CreateChannelInput extends ChannelSettingsInput {
  tags?: readonly TagShape[] | null;
}

export interface UpdateChannelInput extends ChannelSettingsInput {
  arn: string;
}

/**
 * Rules the model states in prose, checked the way IVS (and the emulator) do. `type` and
 * `containerFormat` are what the channel will have, where the input alone tells (always on create; on
 * update only if given); the rest is left to IVS, which knows the current channel.
 */
function checkChannelRules(
  request: CreateChannelRequest | UpdateChannelRequest,
  { type, containerFormat }: { type?: string; containerFormat?: string },
): void {
  if (request.preset && type && !ADVANCED.has(type))
    throw new ValidationError(
      `preset can only be set on ADVANCED_SD or ADVANCED_HD channels, not ${type}`,
      "input.preset",
    );
  const mt = request.multitrackInputConfiguration;
  if (!mt?.enabled) return;
  if (!mt.policy || !mt.maximumResolution)
    throw new ValidationError(
      "multitrackInputConfiguration.policy and maximumResolution are required when enabled is true",
      `input.multitrackInputConfiguration.${mt.policy ? "maximumResolution" : "policy"}`,
    );
  if (type && type !== "STANDARD")
    throw new ValidationError(
      "multitrackInputConfiguration can only be enabled on STANDARD channels",
      "input.multitrackInputConfiguration.enabled",
    );
  if (containerFormat && containerFormat !== "FRAGMENTED_MP4")
    throw new ValidationError(
      "multitrackInputConfiguration requires containerFormat FRAGMENTED_MP4",
      "input.containerFormat",
    );
}

function settings(input: ChannelSettingsInput) {
  const { multitrackInputConfiguration, ...rest } = input;
  return {
    ...defined(rest),
    multitrackInputConfiguration: defined(multitrackInputConfiguration),
  } as Omit<CreateChannelRequest, "tags">;
}

export async function createChannel(
  ctx: GatewayContext,
  { input }: { input: CreateChannelInput },
): Promise<{ channel: Channel; streamKey: StreamKey }> {
  const { tags, ...rest } = input;
  const request: CreateChannelRequest = { ...settings(rest), tags: tagsRequest(tags) };
  validateIvsInput("CreateChannelRequest", request);
  checkChannelRules(request, {
    type: request.type ?? "STANDARD",
    containerFormat: request.containerFormat ?? "TS",
  });
  const out = await callIvs(() => ctx.ivs.send(new CreateChannelCommand(request)));
  const created = { channel: out.channel as Channel, streamKey: out.streamKey as StreamKey };
  const arn = created.channel.arn as string;
  ctx.loaders.channel.prime(arn, created.channel);
  ctx.loaders.streamKeyValue.prime(created.streamKey.arn as string, created.streamKey);
  // IVS answered with all there is to know, the new channel's only key included: nothing to fetch later.
  ctx.mirror.wrote("channel", created.channel, out);
  ctx.mirror.keyed(arn, [created.streamKey], out);
  return created;
}

/** Members left out keep their value; `""` for a configuration ARN detaches it (as in IVS). */
export async function updateChannel(
  ctx: GatewayContext,
  { input }: { input: UpdateChannelInput },
): Promise<Channel> {
  const request: UpdateChannelRequest = { ...settings(input), arn: input.arn };
  validateIvsInput("UpdateChannelRequest", request);
  checkChannelRules(request, request);
  const out = await callIvs(() => ctx.ivs.send(new UpdateChannelCommand(request)));
  const updated = out.channel as Channel;
  ctx.loaders.channel.clear(input.arn).prime(input.arn, updated);
  ctx.mirror.wrote("channel", updated, out);
  return updated;
}

/** Deletes a channel and (in IVS) its stream keys; fails with ConflictError while it is live. */
export async function deleteChannel(
  ctx: GatewayContext,
  { input }: { input: { arn: string } },
): Promise<{ arn: string }> {
  validateIvsInput("DeleteChannelRequest", { arn: input.arn });
  const out = await callIvs(() => ctx.ivs.send(new DeleteChannelCommand({ arn: input.arn })));
  ctx.loaders.channel.clear(input.arn);
  ctx.loaders.stream.clear(input.arn);
  ctx.loaders.channelStreamKeys.clear(input.arn);
  // Gone from the mirror on every replica; subscribers watching it get a last update and complete.
  await ctx.mirror.removed("channel", input.arn, out).announced;
  return { arn: input.arn };
}
