import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { type GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../auth/config.ts";
import { useCostLimit } from "./use-cost-limit.ts";

/** Header a browser cannot send cross-site without a CORS preflight (Yoga's CSRF prevention). */
export const CSRF_HEADER = "x-graphql-yoga-csrf";

// Armor's rules throw by default, which graphql-js does not turn into a validation error; reporting
// to the validation context gives the usual 400 (HTTP) or error message (WebSocket) instead.
const report = {
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(error)],
};

/**
 * What one operation may cost, on every transport: GraphQL Armor (depth, aliases, tokens, directives,
 * no field suggestions), the IVS-aware cost of the Pothos complexity plugin,
 * CSRF prevention, and introspection when switched off. Body size is Yoga's `maxRequestBodySize`
 * (src/app.ts) and the WebSocket `maxPayload` (src/subscriptions/transport-ws.ts).
 */
export function useLimits(limits: LimitsConfig): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ...report },
      maxAliases: { n: limits.maxAliases, ...report },
      // Counted while parsing, before any validation context exists: it must throw to refuse.
      maxTokens: { n: limits.maxTokens },
      // Armor's default of 50 directives.
      maxDirectives: { ...report },
      // Replaced by the Pothos complexity rule below: Armor's cost reads `first` only when it is a
      // literal (a variable bypasses it) and ignores the gateway's cap of 100 per page.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: true },
    }) as Plugin,
    useCostLimit(limits.maxCost),
    // A form post or a plain GET from another site would carry a victim's cookies; demanding a JSON
    // content type or this header forces a CORS preflight. (Bearer tokens are not sent by browsers on
    // their own, but an API behind a cookie-authenticating proxy would be exposed.)
    useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
  ];
  if (!limits.introspection) {
    plugins.push(useDisableIntrospection());
    // Yoga's plugin marks HTTP requests only; operations over graphql-ws have no Request.
    plugins.push({
      onValidate({ context, addValidationRule }) {
        if (!(context as { request?: unknown }).request) addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    });
  }
  return plugins;
}
