import type {
  CreatePlaybackRestrictionPolicyRequest,
  DeletePlaybackRestrictionPolicyRequest,
  GetPlaybackRestrictionPolicyRequest,
  ListPlaybackRestrictionPoliciesRequest,
  UpdatePlaybackRestrictionPolicyRequest,
} from "@aws-sdk/client-ivs";
import { conflict, notFound, quotaExceeded } from "../errors.ts";
import { paginate } from "../protocol/pagination.ts";
import type { PlaybackRestrictionPolicy } from "../state/types.ts";
import { type OperationContext, op } from "./context.ts";

export function getPlaybackRestrictionPolicy(ctx: OperationContext, arn: string): PlaybackRestrictionPolicy {
  const policy = ctx.store.playbackRestrictionPolicies.get(arn);
  if (!policy) throw notFound(arn);
  return policy;
}

export const playbackRestrictionPolicyOperations = {
  CreatePlaybackRestrictionPolicy: op<CreatePlaybackRestrictionPolicyRequest>((input, ctx) => {
    if (ctx.store.playbackRestrictionPolicies.size >= ctx.limits.playbackRestrictionPolicies)
      throw quotaExceeded(
        `Maximum number of playback restriction policies (${ctx.limits.playbackRestrictionPolicies}) reached for this account`,
      );
    // Empty lists mean "all countries" / "all origins", per the model text.
    const policy: PlaybackRestrictionPolicy = {
      arn: ctx.ids.arn("playback-restriction-policy"),
      allowedCountries: [...(input.allowedCountries ?? [])],
      allowedOrigins: [...(input.allowedOrigins ?? [])],
      enableStrictOriginEnforcement: input.enableStrictOriginEnforcement ?? false,
      name: input.name ?? "",
      tags: { ...(input.tags ?? {}) },
    };
    ctx.store.playbackRestrictionPolicies.set(policy.arn, policy);
    ctx.store.orderOf(policy.arn);
    return { playbackRestrictionPolicy: policy };
  }),

  GetPlaybackRestrictionPolicy: op<GetPlaybackRestrictionPolicyRequest>((input, ctx) => ({
    playbackRestrictionPolicy: getPlaybackRestrictionPolicy(ctx, input.arn as string),
  })),

  ListPlaybackRestrictionPolicies: op<ListPlaybackRestrictionPoliciesRequest>((input, ctx) => {
    const all = [...ctx.store.playbackRestrictionPolicies.values()];
    // The documented default page size really is 1 (the IVS Low-Latency API Reference); callers are expected to pass maxResults.
    const page = paginate("ListPlaybackRestrictionPolicies", all, (p) => ctx.store.orderOf(p.arn), input, 1);
    return { playbackRestrictionPolicies: page.items, nextToken: page.nextToken };
  }),

  UpdatePlaybackRestrictionPolicy: op<UpdatePlaybackRestrictionPolicyRequest>((input, ctx) => {
    const current = getPlaybackRestrictionPolicy(ctx, input.arn as string);
    // Absent members are left unchanged; an explicit [] resets a list to "all".
    const next: PlaybackRestrictionPolicy = {
      ...current,
      allowedCountries: input.allowedCountries ? [...input.allowedCountries] : current.allowedCountries,
      allowedOrigins: input.allowedOrigins ? [...input.allowedOrigins] : current.allowedOrigins,
      enableStrictOriginEnforcement:
        input.enableStrictOriginEnforcement ?? current.enableStrictOriginEnforcement,
      name: input.name ?? current.name,
    };
    ctx.store.playbackRestrictionPolicies.set(next.arn, next);
    return { playbackRestrictionPolicy: next };
  }),

  DeletePlaybackRestrictionPolicy: op<DeletePlaybackRestrictionPolicyRequest>((input, ctx) => {
    const policy = getPlaybackRestrictionPolicy(ctx, input.arn as string);
    const user = [...ctx.store.channels.values()].find((c) => c.playbackRestrictionPolicyArn === policy.arn);
    if (user)
      throw conflict(
        `Playback restriction policy: ${policy.arn} is used by channel: ${user.arn}; set the channel's playbackRestrictionPolicyArn to "" first`,
      );
    ctx.store.playbackRestrictionPolicies.delete(policy.arn);
    ctx.store.forget(policy.arn);
  }),
};
