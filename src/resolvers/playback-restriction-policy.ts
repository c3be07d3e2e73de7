import {
  CreatePlaybackRestrictionPolicyCommand,
  type CreatePlaybackRestrictionPolicyRequest,
  DeletePlaybackRestrictionPolicyCommand,
  ListPlaybackRestrictionPoliciesCommand,
  type PlaybackRestrictionPolicy,
  UpdatePlaybackRestrictionPolicyCommand,
  type UpdatePlaybackRestrictionPolicyRequest,
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

/** The largest page ListPlaybackRestrictionPolicies serves, from the model. */
const LIST_MAX = pageSizeMax(MODEL, "ListPlaybackRestrictionPoliciesRequest");

interface PolicyFields {
  name?: string | null;
  allowedCountries?: readonly string[] | null;
  allowedOrigins?: readonly string[] | null;
  enableStrictOriginEnforcement?: boolean | null;
}

/** GraphQL null means "not given": IVS has no null, only an absent member (left unchanged on update). */
function policyRequest(input: PolicyFields) {
  return {
    name: input.name ?? undefined,
    allowedCountries: input.allowedCountries ? [...input.allowedCountries] : undefined,
    allowedOrigins: input.allowedOrigins ? [...input.allowedOrigins] : undefined,
    enableStrictOriginEnforcement: input.enableStrictOriginEnforcement ?? undefined,
  };
}

export function playbackRestrictionPolicy(ctx: GatewayContext, args: { arn: string }) {
  return ctx.loaders.playbackRestrictionPolicy.load(args.arn);
}

/** The list returns complete policies (the summary has every member), so nothing is upgraded. */
export function playbackRestrictionPolicies(ctx: GatewayContext, args: ConnectionArgs) {
  return mirroredConnection<PlaybackRestrictionPolicy>(
    ctx.mirror,
    "playback-restriction-policy",
    args,
    LIST_MAX,
    async (nextToken, maxResults) => {
      const request = { nextToken, maxResults };
      const out = await callIvs(() => ctx.ivs.send(new ListPlaybackRestrictionPoliciesCommand(request)));
      return {
        items: (out.playbackRestrictionPolicies ?? []) as PlaybackRestrictionPolicy[],
        nextToken: out.nextToken,
      };
    },
  );
}

/** The channels restricted by `policy`: ListChannels filtered by its ARN. */
export function playbackRestrictionPolicyChannels(
  ctx: GatewayContext,
  policy: PlaybackRestrictionPolicy,
  args: ConnectionArgs,
) {
  return channels(ctx, { ...args, filter: { playbackRestrictionPolicyArn: policy.arn } });
}

export async function createPlaybackRestrictionPolicy(
  ctx: GatewayContext,
  { input }: { input: PolicyFields & { tags?: readonly TagShape[] | null } },
): Promise<PlaybackRestrictionPolicy> {
  const request: CreatePlaybackRestrictionPolicyRequest = {
    ...policyRequest(input),
    tags: tagsRequest(input.tags),
  };
  validateIvsInput("CreatePlaybackRestrictionPolicyRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new CreatePlaybackRestrictionPolicyCommand(request)));
  const policy = out.playbackRestrictionPolicy as PlaybackRestrictionPolicy;
  ctx.loaders.playbackRestrictionPolicy.prime(policy.arn as string, policy);
  ctx.mirror.wrote("playback-restriction-policy", policy, out);
  return policy;
}

export async function updatePlaybackRestrictionPolicy(
  ctx: GatewayContext,
  { input }: { input: PolicyFields & { arn: string } },
): Promise<PlaybackRestrictionPolicy> {
  const request: UpdatePlaybackRestrictionPolicyRequest = { arn: input.arn, ...policyRequest(input) };
  validateIvsInput("UpdatePlaybackRestrictionPolicyRequest", request);
  const out = await callIvs(() => ctx.ivs.send(new UpdatePlaybackRestrictionPolicyCommand(request)));
  const policy = out.playbackRestrictionPolicy as PlaybackRestrictionPolicy;
  ctx.loaders.playbackRestrictionPolicy.clear(input.arn).prime(input.arn, policy);
  ctx.mirror.wrote("playback-restriction-policy", policy, out);
  return policy;
}

export async function deletePlaybackRestrictionPolicy(
  ctx: GatewayContext,
  { input }: { input: { arn: string } },
): Promise<{ arn: string }> {
  validateIvsInput("DeletePlaybackRestrictionPolicyRequest", { arn: input.arn });
  const out = await callIvs(() =>
    ctx.ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: input.arn })),
  );
  ctx.loaders.playbackRestrictionPolicy.clear(input.arn);
  ctx.mirror.removed("playback-restriction-policy", input.arn, out);
  return { arn: input.arn };
}
