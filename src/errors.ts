/**
 * The gateway's own error types. Expected failures of mutations are returned as typed GraphQL results
 * built from these classes (see src/schema/errors.ts); AWS exception names are translated into them in
 * src/ivs/errors.ts only.
 */

import { redactSecrets } from "./redact.ts";

export class GatewayError extends Error {
  /** Whether the same request may succeed if retried later. */
  readonly retriable: boolean = false;

  /**
   * Messages often quote input or IVS's answer, and reach clients as typed mutation results that no
   * masking sees: a pasted stream key or token is redacted here, once, for every path.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message === undefined ? undefined : redactSecrets(message), options);
  }
}

export class NotFoundError extends GatewayError {
  override name = "NotFoundError";
  constructor(
    message: string,
    readonly arn?: string,
  ) {
    super(message);
  }
}

export class ValidationError extends GatewayError {
  override name = "ValidationError";
  constructor(
    message: string,
    /** The input field at fault, as a path such as `input.name` or `input.tags[2].key`. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export class ConflictError extends GatewayError {
  override name = "ConflictError";
}

export class QuotaExceededError extends GatewayError {
  override name = "QuotaExceededError";
}

export class ChannelNotBroadcastingError extends GatewayError {
  override name = "ChannelNotBroadcastingError";
  constructor(
    message: string,
    readonly channelArn?: string,
  ) {
    super(message);
  }
}

export class ThrottledError extends GatewayError {
  override name = "ThrottledError";
  override readonly retriable = true;
  constructor(
    message: string,
    /** Suggested wait before retrying, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class PendingVerificationError extends GatewayError {
  override name = "PendingVerificationError";
}

export class AccessDeniedError extends GatewayError {
  override name = "AccessDeniedError";
}

export class ServiceUnavailableError extends GatewayError {
  override name = "ServiceUnavailableError";
  override readonly retriable = true;
}
