/**
 * Every span name and attribute the gateway writes, in one table (README "Traces (OpenTelemetry)").
 * Stable semantic conventions come from the package; incubating ones are copied here, as the
 * semantic-conventions package advises, so that a rename there does not silently rename ours.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from "@opentelemetry/semantic-conventions";

export const SPAN = {
  /** One per GraphQL operation (HTTP or graphql-ws), named `<type> <name>`, e.g. `query Dashboard`. */
  operation: "graphql.operation",
  /**
   * One per IVS API call (retries and budget waits included): `IVS.<Operation>`, e.g. `IVS.CreateChannel`,
   * as the AWS SDK's own instrumentation names its spans (the "ivs.call" spans; rpc.system aws-api).
   */
  ivsCall: (operation: string) => `IVS.${operation}`,
  /** One per POST /events request. */
  ingest: "ivs.events.ingest",
  /** One per delivery of an update or event to the subscribers it reaches. */
  fanout: "live.fanout",
} as const;

export const ATTR = {
  serviceName: ATTR_SERVICE_NAME,
  serviceInstanceId: ATTR_SERVICE_INSTANCE_ID,
  errorType: ATTR_ERROR_TYPE,
  httpMethod: ATTR_HTTP_REQUEST_METHOD,
  httpStatus: ATTR_HTTP_RESPONSE_STATUS_CODE,
  urlPath: ATTR_URL_PATH,

  // graphql.operation (incubating graphql.* conventions, then ours)
  operationName: "graphql.operation.name",
  operationType: "graphql.operation.type",
  /** ok, error (GraphQL errors in the result) or invalid (did not parse or validate). */
  outcome: "graphql.outcome",
  /** The distinct `extensions.code` of the result's errors, e.g. ["THROTTLED"]. */
  errorCodes: "graphql.error.codes",
  /** The gateway's x-request-id, which logs and audit records carry too. */
  requestId: "gateway.request_id",
  /** Mirror reads the operation made: answered from the mirror, asked of IVS, known not to exist. */
  mirrorHits: "gateway.mirror.hits",
  mirrorMisses: "gateway.mirror.misses",
  mirrorAbsent: "gateway.mirror.absent",

  // ivs.call (incubating rpc.* / aws.* conventions, as the AWS SDK instrumentation writes them)
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  awsOperation: "aws.operation",
  awsRequestId: "aws.request_id",
  /** OK, or the exception name (network failures: their code, e.g. ECONNREFUSED). */
  ivsOutcome: "ivs.outcome",
  /** Requests sent for the call: SDK retries and the budget's throttle retries together. */
  ivsAttempts: "ivs.attempts",
  ivsRetries: "ivs.retries",
  /** Throttles IVS answered on the way (each one retried or, at the deadline, given up on). */
  ivsThrottled: "ivs.throttled",
  /** Time spent waiting for request-budget slots, ms (a batched lookup's slot taken before the call included). */
  budgetWaitMs: "ivs.budget.wait_ms",
  /** interactive (a client waits) or background (the sync loop, reconciliation, jobs). */
  priority: "ivs.priority",

  // ivs.events.ingest and live.fanout
  /** relayed, mirrored, duplicate, ignored, malformed, or a refusal (unauthorized, too_large, …). */
  ingestOutcome: "ivs.events.outcome",
  /** The IVS event's kind (STREAM_STATE, …) or the CloudTrail event name (CreateChannel, …). */
  eventKind: "ivs.event.kind",
  /** update (a channel's live state), event (a relayed IVS event) or deleted (a channel's last update). */
  fanoutKind: "live.fanout.kind",
  subscribers: "live.subscribers",
  channelArn: "ivs.channel.arn",
} as const;
