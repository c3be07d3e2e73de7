import type { GraphQLError } from "graphql";
import { createGraphQLError, type MaskError, maskError } from "graphql-yoga";
import { GatewayError, ThrottledError, ValidationError } from "../errors.ts";
import { redactSecrets } from "../redact.ts";

/** Stable `extensions.code` per gateway error, for clients that branch on codes (and audit records). */
export const ERROR_CODES: Record<string, string> = {
  NotFoundError: "NOT_FOUND",
  ValidationError: "BAD_USER_INPUT",
  ConflictError: "CONFLICT",
  QuotaExceededError: "QUOTA_EXCEEDED",
  ChannelNotBroadcastingError: "CHANNEL_NOT_BROADCASTING",
  ThrottledError: "THROTTLED",
  PendingVerificationError: "PENDING_VERIFICATION",
  AccessDeniedError: "ACCESS_DENIED",
  ServiceUnavailableError: "SERVICE_UNAVAILABLE",
};

/**
 * Yoga's error masking, except that the gateway's own expected errors (a subscription to a missing
 * channel, a bad cursor) keep their message and get a code; anything else stays masked. A message
 * that reaches the client never carries a secret-shaped value (a stream key, a token) that input or
 * IVS put in it: gateway errors redact at construction (src/errors.ts), every other message here.
 */
export const maskGatewayErrors: MaskError = (error, message, isDev) => {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  if (original instanceof GatewayError) {
    const source = error as { path?: readonly (string | number)[]; nodes?: never };
    return createGraphQLError(original.message, {
      ...(source.path ? { path: source.path } : {}),
      ...(source.nodes ? { nodes: source.nodes } : {}),
      extensions: {
        code: ERROR_CODES[original.name] ?? "GATEWAY_ERROR",
        retriable: original.retriable,
        // How long a THROTTLED client should wait before retrying, when the budget knows.
        ...(original instanceof ThrottledError && original.retryAfterMs !== undefined
          ? { retryAfterMs: original.retryAfterMs }
          : {}),
        ...(original instanceof ValidationError && original.field ? { field: original.field } : {}),
      },
    });
  }
  const masked = maskError(error, message, isDev) as GraphQLError;
  const safe = redactSecrets(masked.message);
  if (safe === masked.message) return masked;
  return createGraphQLError(safe, {
    ...(masked.nodes ? { nodes: masked.nodes } : {}),
    ...(masked.source ? { source: masked.source } : {}),
    ...(masked.positions ? { positions: masked.positions } : {}),
    ...(masked.path ? { path: masked.path } : {}),
    extensions: masked.extensions,
  });
};
