import {
  AccessDeniedError,
  ChannelNotBroadcastingError,
  ConflictError,
  NotFoundError,
  PendingVerificationError,
  QuotaExceededError,
  ServiceUnavailableError,
  ThrottledError,
  ValidationError,
} from "../errors.ts";
import { builder } from "./builder.ts";

/** Every expected failure implements `Error`, so clients can always select `... on Error { message }`. */
export const ErrorInterface = builder.interfaceRef<Error & { retriable?: boolean }>("Error").implement({
  description: "An expected failure of a mutation.",
  fields: (t) => ({
    message: t.exposeString("message"),
    retriable: t.boolean({
      description: "Whether the same request may succeed if retried later.",
      resolve: (e) => e.retriable ?? false,
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description: "The resource does not exist.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ arn: t.exposeString("arn", { nullable: true }) }),
});
builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input breaks a constraint; `field` names the input field at fault.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString("field", { nullable: true }) }),
});
builder.objectType(ConflictError, {
  name: "ConflictError",
  description:
    "The resource is in a state that forbids the change (e.g. a live channel, a configuration in use).",
  interfaces: [ErrorInterface],
});
builder.objectType(QuotaExceededError, {
  name: "QuotaExceededError",
  description: "An IVS resource quota would be exceeded (e.g. one stream key per channel).",
  interfaces: [ErrorInterface],
});
builder.objectType(ChannelNotBroadcastingError, {
  name: "ChannelNotBroadcastingError",
  description: "The operation needs a live channel.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ channelArn: t.exposeString("channelArn", { nullable: true }) }),
});
builder.objectType(ThrottledError, {
  name: "ThrottledError",
  description: "IVS's request rate was exhausted; retry later.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ retryAfterMs: t.exposeInt("retryAfterMs", { nullable: true }) }),
});
builder.objectType(PendingVerificationError, {
  name: "PendingVerificationError",
  description: "The AWS account is pending verification.",
  interfaces: [ErrorInterface],
});
builder.objectType(AccessDeniedError, {
  name: "AccessDeniedError",
  description: "IVS denied the gateway's credentials this action.",
  interfaces: [ErrorInterface],
});
builder.objectType(ServiceUnavailableError, {
  name: "ServiceUnavailableError",
  description: "IVS failed or is unavailable; retry later.",
  interfaces: [ErrorInterface],
});

/** The error results every mutation can return. */
export const MUTATION_ERRORS = [
  NotFoundError,
  ValidationError,
  ConflictError,
  QuotaExceededError,
  ChannelNotBroadcastingError,
  ThrottledError,
  PendingVerificationError,
  AccessDeniedError,
  ServiceUnavailableError,
];
