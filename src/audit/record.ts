import { randomUUID } from "node:crypto";
import type { Principal } from "../auth/principal.ts";
import { GatewayError } from "../errors.ts";
import type { ObservedCall } from "../ivs/scope.ts";
import { ERROR_CODES } from "../plugins/mask-errors.ts";

/** One IVS attempt a mutation made: CloudTrail's `eventName`, `requestID` and outcome (src/ivs/scope.ts). */
export type AuditIvsCall = ObservedCall;

/** The bulk job and item a record belongs to (src/jobs fills it in). */
export interface AuditJobRef {
  id: string;
  /** The item's position in the job's input, from 0. */
  item: number;
}

/**
 * What the audit trail keeps of one mutation (or one bulk-job item). Never a secret: no stream key
 * value, private key, passphrase or token, and of the input only the ARN of the resource acted on.
 */
export interface AuditRecord {
  id: string;
  /** When the mutation finished, ISO 8601 with milliseconds. */
  time: string;
  /** The principal's id: `jwt:<sub>`, `api-key:<id>`, `developer`, `anonymous`. */
  principal: string;
  principalKind: Principal["kind"];
  /** The tenant the principal is limited to; absent for account-wide principals. */
  tenant?: string;
  /** The GraphQL mutation field, e.g. `createChannel`. */
  operation: string;
  /** Every IVS attempt the mutation made, in order; CloudTrail has one event per successful write. */
  ivsOperations: AuditIvsCall[];
  /** The resource acted on: the input's `arn` (or `resourceArn`), the created resource's, or `channelArn`. */
  resourceArn?: string;
  /** `OK`, the gateway error's name (`NotFoundError`, `ThrottledError`, …), or `INTERNAL`. */
  outcome: string;
  /** The code clients see in `extensions.code` (`NOT_FOUND`, …); absent when the outcome is OK. */
  errorCode?: string;
  /** The gateway's request id (`x-request-id`), shared by every mutation of one HTTP request. */
  requestId: string;
  job?: AuditJobRef;
}

export const OK = "OK";
export const INTERNAL = "INTERNAL";

/** Who made the change and where it came from: the part of a record the caller knows up front. */
export interface AuditOrigin {
  principal: Principal;
  requestId: string;
}

/** How a mutation ended: from its result (the errors plugin may return error objects) or what it threw. */
export function outcomeOf(value: unknown, threw: boolean): { outcome: string; errorCode?: string } {
  const gatewayError = asGatewayError(value);
  if (gatewayError) {
    const name = gatewayError.name;
    return { outcome: name, errorCode: ERROR_CODES[name] ?? "GATEWAY_ERROR" };
  }
  if (!threw) return { outcome: OK };
  // A refusal or limit raised as a GraphQLError keeps its code; anything else is a bug or an outage.
  const code = (value as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (typeof code === "string") return { outcome: code, errorCode: code };
  return { outcome: INTERNAL, errorCode: "INTERNAL_SERVER_ERROR" };
}

/**
 * A gateway error, thrown or returned. Judged by constructor: the errors plugin returns errors behind a
 * proxy whose prototype chain `instanceof` does not follow, while `constructor` is the real class.
 */
function asGatewayError(value: unknown): GatewayError | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const ctor = (value as { constructor?: unknown }).constructor;
  if (typeof ctor !== "function") return undefined;
  return ctor === GatewayError || ctor.prototype instanceof GatewayError
    ? (value as GatewayError)
    : undefined;
}

/** What an ARN looks like; anything else in an ARN member of the input is not echoed into a record. */
const ARN = /^arn:[a-z0-9-]{1,32}:[a-z0-9-]{1,64}:[a-z0-9-]{0,32}:[0-9]{0,12}:[A-Za-z0-9/._:-]{1,256}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const arn = (v: unknown): string | undefined => (typeof v === "string" && ARN.test(v) ? v : undefined);

/**
 * The resource a mutation acted on: the input's `arn` or `resourceArn`; else the ARN of what it
 * created (the payload's `arn`, or its first member that has one, e.g. `channel` of createChannel);
 * else the input's `channelArn` (stopStream, createPlaybackToken). Undefined for batch mutations.
 */
export function resourceArnOf(args: unknown, result: unknown): string | undefined {
  const input = isObject(args) ? (isObject(args.input) ? args.input : args) : {};
  return arn(input.arn) ?? arn(input.resourceArn) ?? arnOfResult(result) ?? arn(input.channelArn);
}

function arnOfResult(result: unknown): string | undefined {
  if (!isObject(result) || asGatewayError(result)) return undefined;
  const own = arn(result.arn);
  if (own) return own;
  for (const member of Object.values(result)) {
    const found = isObject(member) ? arn(member.arn) : undefined;
    if (found) return found;
  }
  return undefined;
}

export interface AuditFacts {
  operation: string;
  ivsOperations: readonly AuditIvsCall[];
  resourceArn?: string | undefined;
  outcome: string;
  errorCode?: string | undefined;
  job?: AuditJobRef | undefined;
}

/** A record from what the mutation did; its id and time are given here. */
export function auditRecord(origin: AuditOrigin, facts: AuditFacts, now = new Date()): AuditRecord {
  const { principal } = origin;
  return {
    id: randomUUID(),
    time: now.toISOString(),
    principal: principal.id,
    principalKind: principal.kind,
    ...(principal.tenant ? { tenant: principal.tenant.value } : {}),
    operation: facts.operation,
    // Copies of the three members only: nothing else an observer noted can slip into a record.
    ivsOperations: facts.ivsOperations.map((c) => ({
      operation: c.operation,
      ...(c.requestId ? { requestId: c.requestId } : {}),
      outcome: c.outcome,
    })),
    ...(facts.resourceArn ? { resourceArn: facts.resourceArn } : {}),
    outcome: facts.outcome,
    ...(facts.errorCode ? { errorCode: facts.errorCode } : {}),
    requestId: origin.requestId,
    ...(facts.job ? { job: { id: facts.job.id, item: facts.job.item } } : {}),
  };
}
