import type { Plugin } from "graphql-yoga";
import type { Authenticator } from "../auth/authenticate.ts";
import { unauthenticated } from "../auth/errors.ts";
import type { Principal } from "../auth/principal.ts";
import type { RateLimiter } from "../auth/rate-limit.ts";

export interface UseAuthenticationOptions {
  authenticator: Authenticator;
  /** Admits each operation of a principal. Default: no limit. */
  rateLimit?: RateLimiter;
}

/**
 * Authenticates each HTTP request (queries, mutations, SSE subscriptions) before its body is even
 * parsed, then spends one unit of the principal's rate budget: an anonymous or over-budget caller
 * costs the gateway a header check, not a parse and a validation. Refusals are 401 / 429 responses.
 * WebSocket connections authenticate once, in `connection_init` (src/http/transport-ws.ts),
 * and arrive here with their principal already in the initial context.
 */
export function useAuthentication(options: UseAuthenticationOptions) {
  const principals = new WeakMap<Request, Principal>();
  const plugin: Plugin = {
    async onRequestParse({ request }) {
      const principal = await options.authenticator.fromHeaders((name) => request.headers.get(name));
      await options.rateLimit?.(principal);
      principals.set(request, principal);
    },
  };
  return {
    plugin,
    /** The principal of an operation, for the context factory; there is no anonymous fallback. */
    principalOf(initial: { request?: Request; principal?: Principal }): Principal {
      const principal = initial.principal ?? (initial.request ? principals.get(initial.request) : undefined);
      if (!principal) throw unauthenticated("missing");
      return principal;
    },
  };
}
