import { type CallScope, currentScope, type ObservedCall, runInScope } from "../ivs/scope.ts";
import type { AuditLog } from "./log.ts";
import { type AuditJobRef, type AuditOrigin, auditRecord, outcomeOf, resourceArnOf } from "./record.ts";

/** What `audited` needs of the caller: the log, and who is asking in which request (a GatewayContext). */
export interface AuditTarget extends AuditOrigin {
  audit: AuditLog;
}

export interface AuditedCall {
  /** The GraphQL mutation field (or the operation a job item runs), e.g. `createChannel`. */
  operation: string;
  /** The field's arguments: only the ARN of the resource acted on is taken from them. */
  args?: unknown;
  job?: AuditJobRef;
}

/**
 * Runs one mutation (`fn`) and records it: its outcome (what it returned, or threw, which is then
 * rethrown), the resource, and every IVS attempt it made, noted through its own call scope (the SDK
 * middleware in src/ivs/observe-middleware.ts). The record is written before the result is returned,
 * so `auditEvents` shows a change as soon as its mutation has answered.
 */
export async function audited<T>(
  target: AuditTarget,
  call: AuditedCall,
  fn: () => T | Promise<T>,
): Promise<T> {
  const observed: ObservedCall[] = [];
  const scope: CallScope = { ...(currentScope() ?? { priority: "interactive" }), observed };
  const write = (value: unknown, threw: boolean) =>
    target.audit.record(
      auditRecord(target, {
        operation: call.operation,
        ivsOperations: observed,
        resourceArn: resourceArnOf(call.args, threw ? undefined : value),
        ...outcomeOf(value, threw),
        job: call.job,
      }),
    );
  let result: T;
  try {
    result = await runInScope(scope, fn);
  } catch (error) {
    await write(error, true);
    throw error;
  }
  await write(result, false);
  return result;
}

/**
 * For bulk jobs (src/jobs): runs one item as `audited` does, recorded with its job and position, under
 * the principal and request id of the request that started the job.
 */
export function recordJobItem<T>(
  target: AuditTarget,
  item: { operation: string; args?: unknown; job: AuditJobRef },
  fn: () => T | Promise<T>,
): Promise<T> {
  return audited(target, item, fn);
}
