import { setTimeout as sleep } from "node:timers/promises";
import type { IvsClient } from "@aws-sdk/client-ivs";
import { ThrottledError } from "../errors.ts";
import type { RequestBudget } from "./budget.ts";
import { isThrottling } from "./errors.ts";
import { currentScope } from "./scope.ts";

/** Back-off before retrying a throttled call: full jitter over 100 ms × 2^attempt, at most 2 s. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(2000, 100 * 2 ** attempt);
}

/**
 * What the budget did for one IVS call, left on the SDK's handler context (which every attempt of the
 * call shares) for the middleware above it: tracing reads it when the call ends (src/telemetry).
 */
export interface BudgetCallStats {
  /** ms spent waiting for slots, the slot a batched lookup took before the call included. */
  waitMs: number;
  /** Requests sent, over every SDK attempt and every throttle retry of this middleware. */
  attempts: number;
  /** Throttles IVS answered. */
  throttled: number;
}

/** The budget's figures for the call whose SDK handler context this is; undefined without a budget. */
export function budgetStatsOf(context: object): BudgetCallStats | undefined {
  return (context as { ivsBudget?: BudgetCallStats }).ivsBudget;
}

/**
 * Puts every IVS call of `client` through `budget`, one slot per attempt: the middleware sits below the
 * SDK's retry middleware (which thus retries through it) and above signing (each attempt is signed
 * afresh). A throttle IVS still returns is retried here with back-off and jitter until the call's
 * deadline; past it the caller gets a ThrottledError, which the SDK does not retry again.
 */
export function useBudget(client: IvsClient, budget: RequestBudget): void {
  type Handler = (args: { input: unknown }) => Promise<unknown>;
  const middleware =
    (next: Handler, context: { commandName?: string; ivsBudget?: BudgetCallStats }) =>
    async (args: { input: unknown }) => {
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      const scope = currentScope();
      const priority = scope?.priority ?? "interactive";
      const deadline = budget.deadlineOf(scope);
      const prepaid = scope?.prepaid?.operation === operation && !scope.prepaid.used;
      context.ivsBudget ??= { waitMs: 0, attempts: 0, throttled: 0 };
      const stats = context.ivsBudget;
      if (prepaid && scope?.prepaid) {
        scope.prepaid.used = true;
        stats.waitMs += scope.prepaid.waitMs ?? 0;
      }
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0 || !prepaid) {
          const asked = performance.now();
          await budget.acquire(operation, args.input, priority, deadline);
          stats.waitMs += performance.now() - asked;
        }
        stats.attempts += 1;
        try {
          return await next(args);
        } catch (error) {
          if (!isThrottling(error)) throw error;
          stats.throttled += 1;
          await budget.throttled(operation, args.input);
          const delay = backoffMs(attempt);
          if (Date.now() + delay >= deadline) {
            budget.gaveUp(operation, priority);
            throw new ThrottledError(
              `IVS throttled ${operation} until this request's deadline; retry shortly`,
              Math.ceil(delay),
            );
          }
          await sleep(delay);
        }
      }
    };
  // addRelativeTo takes a union of every step's middleware type, which a lambda cannot be inferred from.
  client.middlewareStack.addRelativeTo(
    middleware as unknown as Parameters<IvsClient["middlewareStack"]["addRelativeTo"]>[0],
    { relation: "after", toMiddleware: "retryMiddleware", name: "ivsBudget", override: true },
  );
}
