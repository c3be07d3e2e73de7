import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Who is waiting for an IVS call: a client (queries, mutations) or the gateway itself (reconciliation,
 * cache refreshes). Interactive calls take budget first; background calls only take what is free.
 */
export type Priority = "interactive" | "background";

export interface CallScope {
  priority: Priority;
  /** Epoch ms after which the caller no longer wants the answer; undefined = the budget's default. */
  deadline?: number;
  /**
   * A budget slot the caller already took for one call of this operation (src/ivs/batch-fetcher.ts
   * takes the slot first and fills the batch after): its first attempt does not take another.
   */
  prepaid?: {
    operation: string;
    used: boolean;
    /** How long taking it took (ms), for traces. */
    waitMs?: number;
  };
  /**
   * Where every IVS attempt made in this scope is noted (src/ivs/observe-middleware.ts): the audit
   * trail gives each mutation one (src/audit/run.ts). Absent: nothing is noted.
   */
  observed?: ObservedCall[];
}

/** One IVS attempt as the audit trail sees it: the operation, IVS's request id, and how it ended. */
export interface ObservedCall {
  operation: string;
  /** IVS's `x-amzn-RequestId`, which CloudTrail records as `requestID`; absent when no answer came. */
  requestId?: string;
  /** `OK`, or the exception name (network failures: their code, e.g. ECONNREFUSED). */
  outcome: string;
}

const storage = new AsyncLocalStorage<CallScope>();

/**
 * The scope of the IVS calls made from here: set per GraphQL request (src/plugins/use-ivs-scope.ts)
 * and around background work. Carried by AsyncLocalStorage so that the SDK middleware sees it
 * without every resolver passing it down.
 */
export function currentScope(): CallScope | undefined {
  return storage.getStore();
}

/** Runs `fn` with IVS calls in `scope`. */
export function runInScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Default deadline of background work: long, since nobody waits for it. */
export const BACKGROUND_DEADLINE_MS = 30_000;

/** Runs `fn` as background work: its IVS calls yield to interactive ones. Default deadline 30 s. */
export function inBackground<T>(fn: () => Promise<T>, deadlineMs = BACKGROUND_DEADLINE_MS): Promise<T> {
  return storage.run({ priority: "background", deadline: Date.now() + deadlineMs }, fn);
}

/**
 * The scope one shared call should run in when it serves several callers (a coalesced batch): as
 * urgent as the most urgent of them, and wanted until the last of them gives up.
 */
export function mergeScopes(scopes: readonly (CallScope | undefined)[]): CallScope | undefined {
  if (scopes.length === 0) return undefined;
  const interactive = scopes.some((s) => !s || s.priority === "interactive");
  // A caller without a deadline gets the budget's default, which is not known here: leave it to the budget.
  const deadlines = scopes.map((s) => s?.deadline);
  const deadline = deadlines.includes(undefined) ? undefined : Math.max(...(deadlines as number[]));
  return {
    priority: interactive ? "interactive" : "background",
    ...(deadline !== undefined ? { deadline } : {}),
  };
}
