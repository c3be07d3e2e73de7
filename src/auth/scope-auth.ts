import type { GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../context.ts";
import { forbidden } from "./errors.ts";
import { hasScope } from "./principal.ts";
import type { Scope } from "./scopes.ts";
import {
  allowedChannelArns,
  channelAllowed,
  resourceAllowed,
  streamKeyAllowed,
  tagKeysAllowed,
} from "./tenancy.ts";

/**
 * The scopes fields and types ask for (Pothos scope-auth, src/schema/builder.ts). The four OAuth scopes
 * are the principal's; the others are tenancy checks, true at once for a principal without a tenant.
 */
export type GatewayAuthScopes = { [S in Scope]: boolean } & {
  /** Not limited to one tenant: needed to change account-wide resources. */
  allTenants: boolean;
  /** May act on this channel (by ARN). */
  channel: string;
  /** May act on every one of these channels. */
  channels: readonly string[];
  /** May act on this stream key (through its channel). */
  streamKey: string;
  /** May read this resource (any IVS ARN). */
  resource: string;
  /** May set or remove these tag keys on this resource. */
  tagChange: { arn: string; keys: readonly string[] };
};

/** The scope initializer: run once per request (or per subscription), cached by scope-auth. */
export function authScopesFor(ctx: GatewayContext) {
  const p = ctx.principal;
  return {
    "ivs:read": hasScope(p, "ivs:read"),
    "ivs:write": hasScope(p, "ivs:write"),
    "ivs:secrets": hasScope(p, "ivs:secrets"),
    "ivs:admin": hasScope(p, "ivs:admin"),
    allTenants: !p.tenant,
    // Without a tenant these are `true` at once, not a promise (src/auth/tenancy.ts says why).
    channel: (arn: string) => channelAllowed(ctx, arn),
    channels: async (arns: readonly string[]) =>
      (await allowedChannelArns(ctx, arns)).size === new Set(arns).size,
    streamKey: (arn: string) => streamKeyAllowed(ctx, arn),
    resource: (arn: string) => resourceAllowed(ctx, arn, false),
    tagChange: async ({ arn, keys }: { arn: string; keys: readonly string[] }) =>
      tagKeysAllowed(p, keys) && (await resourceAllowed(ctx, arn, true)),
  };
}

/** Scope parameters that are objects or arrays are cached by value, not identity. */
export function scopeCacheKey(value: unknown): unknown {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : value;
}

/** One error for every refusal: the field, never which scope or tenant check failed. */
export function unauthorizedError(_parent: unknown, _ctx: unknown, info: GraphQLResolveInfo) {
  return forbidden(`${info.parentType.name}.${info.fieldName}`);
}

/**
 * For lookups by ARN: another tenant's resource reads as null, like a missing one. A principal that
 * may not read at all still gets the error.
 */
export function hiddenAsNull(
  _parent: unknown,
  _args: unknown,
  ctx: GatewayContext,
  _info: unknown,
  error: Error,
) {
  if (!hasScope(ctx.principal, "ivs:read")) throw error;
  return null;
}
