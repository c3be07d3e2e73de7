import {
  AccessDeniedError,
  ChannelNotBroadcastingError,
  ConflictError,
  type GatewayError,
  NotFoundError,
  PendingVerificationError,
  QuotaExceededError,
  ServiceUnavailableError,
  ThrottledError,
  ValidationError,
} from "../errors.ts";

/**
 * The one place where AWS exception names are known. Translates an IVS SDK error into a gateway error;
 * anything unrecognised (network failures, bugs) is returned unchanged and ends up masked by Yoga.
 */
export function fromIvsError(error: unknown): GatewayError | unknown {
  if (!(error instanceof Error)) return error;
  const message = ivsMessage(error);
  switch (error.name) {
    case "ResourceNotFoundException":
      return new NotFoundError(message, arnIn(message));
    case "ValidationException":
      return new ValidationError(message, fieldIn(message));
    case "ConflictException":
      return new ConflictError(message);
    case "ServiceQuotaExceededException":
      return new QuotaExceededError(message);
    case "ChannelNotBroadcasting":
      return new ChannelNotBroadcastingError(message, arnIn(message));
    case "ThrottlingException":
      return new ThrottledError(message);
    case "PendingVerification":
      return new PendingVerificationError(message);
    case "AccessDeniedException":
      return new AccessDeniedError(message);
    case "ServiceUnavailable":
    case "StreamUnavailable":
    case "InternalServerException":
      return new ServiceUnavailableError(message);
    default:
      return error;
  }
}

/** Calls IVS and rethrows its failures as gateway errors. */
export async function callIvs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromIvsError(error);
  }
}

/** True for a throttle from IVS itself (HTTP 429), which the request budget retries until the deadline. */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === "ThrottlingException" || status === 429;
}

/** True for an IVS "not found" failure, which lookups turn into `null`. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof NotFoundError || (error instanceof Error && error.name === "ResourceNotFoundException")
  );
}

function ivsMessage(error: Error): string {
  const withDetail = error as Error & { exceptionMessage?: string };
  const text = withDetail.exceptionMessage ?? error.message;
  return text && text !== "UnknownError" ? text : error.name;
}

function arnIn(message: string): string | undefined {
  return /arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+\/[a-zA-Z0-9-]+/.exec(message)?.[0];
}

/** IVS validation messages say `... at 'tags.key' failed ...`: the member at fault. */
function fieldIn(message: string): string | undefined {
  return /at '([^']+)'/.exec(message)?.[1];
}
