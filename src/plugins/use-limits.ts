import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../auth/config.ts";
import { useClientMessages } from "./use-client-messages.ts";
import { useCostLimit } from "./use-cost-limit.ts";

/** Header a browser cannot send cross-site without a CORS preflight (Yoga's CSRF prevention). */
export const CSRF_HEADER = "x-graphql-yoga-csrf";

/**
 * Armor's message as the caller should read it: not a "Syntax Error" (the document parsed fine), and
 * naming the variable that sets the limit, e.g. "Query depth limit of 6 exceeded, found 9 (MAX_DEPTH)."
 */
export function limitError(error: GraphQLError, variable: string): GraphQLError {
  const message = error.message.replace(/^Syntax Error: /, "").replace(/\.?$/, ` (${variable}).`);
  return new GraphQLError(message, { extensions: { code: "LIMIT_EXCEEDED", limit: variable } });
}

// Armor's rules throw by default, which graphql-js does not turn into a validation error; reporting
// to the validation context gives the usual 400 (HTTP) or error message (WebSocket) instead.
const report = (variable: string) => ({
  propagateOnRejection: false,
  onReject: [
    (ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(limitError(error, variable)),
  ],
});

/**
 * What one operation may cost, on every transport: GraphQL Armor (depth, aliases, tokens, directives,
 * schema hints off unless introspection and FIELD_SUGGESTIONS are both on), the IVS-aware cost of the Pothos complexity plugin,
 * CSRF prevention where credentials are ambient, and introspection when switched off. Body size is Yoga's `maxRequestBodySize`
 * (src/app.ts) and the WebSocket `maxPayload` (src/http/transport-ws.ts).
 */
export function useLimits(limits: LimitsConfig): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      // Depth of fields, not of fragments: Relay nests a fragment per component, which adds no work.
      maxDepth: { n: limits.maxDepth, flattenFragments: true, ...report("MAX_DEPTH") },
      maxAliases: { n: limits.maxAliases, ...report("MAX_ALIASES") },
      // Counted while parsing, before any validation context exists: it must throw to refuse.
      maxTokens: {
        n: limits.maxTokens,
        propagateOnRejection: false,
        onReject: [
          (_ctx: ValidationContext | null, error: GraphQLError) => {
            throw limitError(error, "MAX_TOKENS");
          },
        ],
      },
      // Armor's default of 50 directives; no variable sets it.
      maxDirectives: {
        propagateOnRejection: false,
        onReject: [
          (ctx: ValidationContext | null, error: GraphQLError) =>
            ctx?.reportError(limitError(error, "a fixed limit")),
        ],
      },
      // Replaced by the Pothos complexity rule below: Armor's cost reads `first` only when it is a
      // literal (a variable bypasses it) and ignores the gateway's cap of 100 per page.
      costLimit: { enabled: false },
      // Armor's catches `Did you mean "x"?` only, not the inline-fragment hint naming union members.
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
    // Hints describe the schema: with introspection off they would tell what it hides.
    useClientMessages({ hints: limits.fieldSuggestions && limits.introspection }),
    useCostLimit(limits.maxCost),
  ];
  // A form post or a plain GET from another site carries whatever the browser sends on its own:
  // cookies, or nothing at all when AUTH_DISABLED lets everyone in. Demanding a JSON content type or
  // this header forces a CORS preflight. A bearer token or API key is never sent on its own, so where
  // every request must carry one this check would protect nothing and only break GET clients
  // (docs/security.md).
  if (limits.csrfPrevention) plugins.push(useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }));
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
