import type { GatewayContext } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { violations } from "../ivs/validate.ts";
import type { Principal } from "./principal.ts";

/**
 * Tenancy: a principal with a tenant sees and changes only the channels whose tag `tagKey` equals its
 * tenant, and what hangs off them (stream keys, streams, sessions, live status, events). A channel of
 * another tenant looks exactly like a missing one, so that ARNs cannot be probed for existence.
 */

/** Whether tags put a resource in the principal's tenant (always true without a tenant). */
export function tagsAllow(principal: Principal, tags: Record<string, string> | undefined): boolean {
  const tenant = principal.tenant;
  return !tenant || tags?.[tenant.tagKey] === tenant.value;
}

/**
 * The checks below answer `true` at once, not a promise of it, for a principal without a tenant: scope-auth
 * runs a type's scope on every field of the type (Stream and StreamKey check `channel`), and a plain `true`
 * lets it run the resolver in the same tick instead of making a promise per field.
 */
type Verdict = boolean | Promise<boolean>;

/** Whether the principal may see the channel; IVS is asked (through the request's loader) only for tenants. */
export function channelAllowed(ctx: GatewayContext, arn: string): Verdict {
  return !ctx.principal.tenant || tenantSeesChannel(ctx, arn);
}

async function tenantSeesChannel(ctx: GatewayContext, arn: string): Promise<boolean> {
  // A malformed ARN must not reach the batch loader: it would fail every key of the batch.
  if (violations("GetChannelRequest", { arn }).length > 0) return false;
  const found = await ctx.loaders.channel.load(arn);
  return found !== null && tagsAllow(ctx.principal, found.tags);
}

/** The subset of `arns` the principal may see, in one batched lookup. */
export async function allowedChannelArns(ctx: GatewayContext, arns: readonly string[]): Promise<Set<string>> {
  if (!ctx.principal.tenant) return new Set(arns);
  const wellFormed = arns.filter((arn) => violations("GetChannelRequest", { arn }).length === 0);
  const found = await ctx.loaders.channel.loadMany(wellFormed);
  const failed = found.find((f) => f instanceof Error);
  if (failed instanceof Error) throw failed;
  return new Set(
    wellFormed.filter((_, i) => {
      const c = found[i];
      return c && !(c instanceof Error) && tagsAllow(ctx.principal, c.tags);
    }),
  );
}

/** Whether the principal may see the stream key: whether it may see the key's channel. */
export function streamKeyAllowed(ctx: GatewayContext, arn: string): Verdict {
  return !ctx.principal.tenant || tenantSeesStreamKey(ctx, arn);
}

async function tenantSeesStreamKey(ctx: GatewayContext, arn: string): Promise<boolean> {
  if (violations("GetStreamKeyRequest", { arn }).length > 0) return false;
  const key = await ctx.loaders.streamKey.load(arn);
  return key !== null && channelAllowed(ctx, key.channelArn as string);
}

/** `arn:aws:ivs:<region>:<account>:<type>/<id>` → type (`channel`, `stream-key`, ...). */
function resourceType(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:ivs:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1];
}

/**
 * Whether a tenant principal may read (`write` false) or tag (`write` true) a resource by ARN.
 * Channels and stream keys follow their channel. Recording configurations, playback restriction
 * policies, ad configurations and key pairs are shared by the whole account: tenants may read them
 * (to attach them), but changing them would reach other tenants' channels, so only principals
 * without a tenant may.
 */
export function resourceAllowed(ctx: GatewayContext, arn: string, write: boolean): Verdict {
  if (!ctx.principal.tenant) return true;
  const type = resourceType(arn);
  if (type === "channel") return channelAllowed(ctx, arn);
  if (type === "stream-key") return streamKeyAllowed(ctx, arn);
  return !write;
}

/** Whether a tag change leaves the tenant tag alone (tenants must not move channels between tenants). */
export function tagKeysAllowed(principal: Principal, keys: readonly string[]): boolean {
  const tenant = principal.tenant;
  return !tenant || !keys.includes(tenant.tagKey);
}

/**
 * A tenant's new channel carries its tenant tag, so that the tenant can see it afterwards; giving the
 * tag another value is refused rather than silently overwritten.
 */
export function withTenantTag<T extends { tags?: readonly { key: string; value: string }[] | null }>(
  principal: Principal,
  input: T,
): T {
  const tenant = principal.tenant;
  if (!tenant) return input;
  const tags = input.tags ?? [];
  const own = tags.findIndex((t) => t.key === tenant.tagKey);
  if (own >= 0 && tags[own]?.value !== tenant.value)
    throw new ValidationError(
      `Tag '${tenant.tagKey}' is set by the gateway to your tenant and cannot be given another value`,
      `input.tags[${own}].value`,
    );
  if (own >= 0) return input;
  return { ...input, tags: [...tags, { key: tenant.tagKey, value: tenant.value }] };
}
