import type { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";

/**
 * Why credentials were refused. Deliberately coarse: enough for a client to fix its request, never the
 * presented token or key, and never which of several keys came closest.
 */
export type AuthFailure = "missing" | "invalid" | "expired" | "ambiguous" | "no-tenant";

const MESSAGES: Record<AuthFailure, string> = {
  missing: "Authentication required: send Authorization: Bearer <token> or an x-api-key header",
  invalid: "The credentials are not valid",
  expired: "The token has expired",
  ambiguous: "Send either a bearer token or an API key, not both",
  "no-tenant": "The credentials name no tenant and are not allowed across tenants",
};

/** The 401 of HTTP (with RFC 6750's challenge) and the reason of WebSocket close code 4401. */
export function unauthenticated(reason: AuthFailure): GraphQLError {
  // RFC 6750 §3.1: no error code when credentials are simply absent.
  const error =
    reason === "missing" ? undefined : reason === "ambiguous" ? "invalid_request" : "invalid_token";
  return createGraphQLError(MESSAGES[reason], {
    extensions: {
      code: "UNAUTHENTICATED",
      http: {
        status: 401,
        headers: {
          "www-authenticate": error
            ? `Bearer realm="ivs-gateway", error="${error}"`
            : 'Bearer realm="ivs-gateway"',
        },
      },
    },
  });
}

export function isUnauthenticated(error: unknown): error is GraphQLError {
  return (error as GraphQLError | undefined)?.extensions?.code === "UNAUTHENTICATED";
}

/** The principal spent its per-minute budget of operations. */
export function rateLimited(retryAfterMs: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return createGraphQLError(`Too many requests; retry in ${seconds} s`, {
    extensions: {
      code: "RATE_LIMITED",
      retryAfterMs,
      http: { status: 429, headers: { "retry-after": String(seconds) } },
    },
  });
}

/** A field the principal's scopes or tenant do not allow. */
export function forbidden(coordinate: string): GraphQLError {
  return createGraphQLError(`Not authorized to resolve ${coordinate}`, { extensions: { code: "FORBIDDEN" } });
}
