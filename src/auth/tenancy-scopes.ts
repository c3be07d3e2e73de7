import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import type { GraphQLFieldResolver } from "graphql";
import type { Principal } from "./principal.ts";

/**
 * Type-level scopes that only check tenancy (src/auth/tenancy.ts): each passes for every principal
 * without a tenant, whatever the object (`tagsAllow`, and the `channel` scope's `channelAllowed`, are
 * `true` at once without one). Scope-auth runs a type's scopes on every one of its fields
 * (`runScopesOnType` is off, so that a refusal stays the field's own error), which costs a dashboard
 * several hundred scope evaluations whose outcome is known from the principal alone. For a principal
 * without a tenant the fields of these types therefore call what scope-auth would have called after
 * its checks passed; for every other principal (and without one) scope-auth runs as before.
 */
const tenancyOnly = new WeakSet<object>();

/**
 * Marks a type's `authScopes` as a tenancy check: it must pass for every principal without a tenant,
 * for any object of the type. Anything else a type must check (an OAuth scope) goes unmarked.
 */
export function tenancyScope<F extends object>(scopes: F): F {
  tenancyOnly.add(scopes);
  return scopes;
}

/** What scope-auth wraps for each field: its resolver with every later plugin's wrapper. */
const unchecked = new WeakMap<object, GraphQLFieldResolver<unknown, object, object>>();

/** After scope-auth in the builder's plugins: keeps the resolver scope-auth calls once its checks pass. */
export class PothosTenancyInnerPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    unchecked.set(fieldConfig, resolver as GraphQLFieldResolver<unknown, object, object>);
    return resolver;
  }
}

/**
 * Before scope-auth in the builder's plugins: for a field of an object type whose only scopes are a
 * marked tenancy check (no field scopes or grants, no interface scopes, not inherited from an
 * interface), a principal without a tenant goes straight to the resolver scope-auth would call.
 */
export class PothosTenancyOuterPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    const inner = unchecked.get(fieldConfig);
    if (!inner || inner === resolver || !this.onlyTenancyScopes(fieldConfig)) return resolver;
    return (parent, args, context, info) =>
      hasNoTenant((context as { principal?: Principal }).principal)
        ? inner(parent, args, context as object, info)
        : resolver(parent, args, context, info);
  }

  private onlyTenancyScopes(fieldConfig: PothosOutputFieldConfig<Types>): boolean {
    if (fieldConfig.kind !== "Object" || fieldConfig.declaringType) return false;
    const field = fieldConfig.pothosOptions as { authScopes?: unknown; grantScopes?: unknown };
    if (field.authScopes !== undefined || field.grantScopes !== undefined) return false;
    const type = this.buildCache.getTypeConfig(fieldConfig.parentType);
    if (type.kind !== "Object") return false;
    const options = type.pothosOptions as { authScopes?: unknown; grantScopes?: unknown };
    if (typeof options.authScopes !== "function" || !tenancyOnly.has(options.authScopes)) return false;
    if (options.grantScopes !== undefined) return false;
    return type.interfaces.every(
      (iface) =>
        (this.buildCache.getTypeConfig(iface, "Interface").pothosOptions as { authScopes?: unknown })
          .authScopes === undefined,
    );
  }
}

/** A principal that tenancy does not limit (a missing principal is not one: scope-auth decides). */
function hasNoTenant(principal: Principal | undefined): boolean {
  return principal !== undefined && principal !== null && !principal.tenant;
}

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      tenancyOuter: PothosTenancyOuterPlugin<Types>;
      tenancyInner: PothosTenancyInnerPlugin<Types>;
    }
  }
}

/** The plugins' names, for the builder's `plugins` list: the outer one before scope-auth, the inner one right after. */
export const tenancyOuter = "tenancyOuter";
export const tenancyInner = "tenancyInner";

SchemaBuilder.registerPlugin(tenancyOuter, PothosTenancyOuterPlugin);
SchemaBuilder.registerPlugin(tenancyInner, PothosTenancyInnerPlugin);
