import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import ErrorsPlugin from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import AuditPlugin from "../audit/plugin.ts";
import {
  authScopesFor,
  type GatewayAuthScopes,
  scopeCacheKey,
  unauthorizedError,
} from "../auth/scope-auth.ts";
import { tenancyInner, tenancyOuter } from "../auth/tenancy-scopes.ts";
import type { GatewayContext } from "../context.ts";
import { fieldCost, LIST_MULTIPLIER } from "../plugins/use-cost-limit.ts";

/** The one Pothos builder. It defines no types; the files in src/schema/ do. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
  };
  DefaultFieldNullability: false;
  AuthScopes: GatewayAuthScopes;
  // Every scope a field or type lists must hold (`{ "ivs:admin": true, channel: arn }` means both).
  DefaultAuthStrategy: "all";
}>({
  // Scope auth first, so that no other plugin's wrapper runs for a refused field; its refusals are
  // therefore top-level errors, not the typed results of the errors plugin. The audit trail records
  // each mutation inside both: what was allowed to run, with what it threw (src/audit/plugin.ts).
  // The tenancy plugins around scope auth let a principal without a tenant skip the type scopes marked
  // as tenancy checks, which pass for it whatever the object (src/auth/tenancy-scopes.ts).
  plugins: [
    tenancyOuter,
    ScopeAuthPlugin,
    tenancyInner,
    ErrorsPlugin,
    AuditPlugin,
    RelayPlugin,
    ComplexityPlugin,
  ],
  scopeAuth: {
    authScopes: authScopesFor,
    defaultStrategy: "all",
    // Checked when a subscription starts; each event is checked again (src/auth/subscriptions.ts).
    authorizeOnSubscribe: true,
    cacheKey: scopeCacheKey,
    unauthorizedError,
  },
  // Costs only: the limit is enforced at validation (src/plugins/use-cost-limit.ts), on every transport.
  complexity: { fieldComplexity: fieldCost },
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // Fixed costs: a cost function would decode the ids while the operation is costed, and one
    // malformed id would then fail the whole request instead of its own field (with a path).
    nodeQueryOptions: { complexity: 1 },
    nodesQueryOptions: { complexity: { field: 1, multiplier: LIST_MULTIPLIER } },
  },
  errors: { defaultTypes: [] },
});

builder.queryType({ authScopes: { "ivs:read": true } });
builder.mutationType({ authScopes: { "ivs:write": true } });

builder.scalarType("DateTime", {
  description: "An RFC 3339 date-time string, e.g. 2026-11-24T14:32:00.000Z",
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError("DateTime must be an RFC 3339 date-time string");
    return date;
  },
});
