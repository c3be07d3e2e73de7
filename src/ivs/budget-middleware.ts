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
 * Puts every IVS call of `client` through `budget`, one slot per attempt: the middleware sits below the
 * SDK's retry middleware (which thus retries through it) and above signing (each attempt is signed
 * afresh). A throttle IVS still returns is retried here with back-off and jitter until the call's
 * deadline; past it the caller gets a ThrottledError, which the SDK does not retry again.
 */
export function useBudget(client: IvsClient, budget: RequestBudget): void {
  type Handler = (args: { input: unknown }) => Promise<unknown>;
  const middleware =
    (next: Handler, context: { commandName?: string }) => async (args: { input: unknown }) => {
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      const scope = currentScope();
      const priority = scope?.priority ?? "interactive";
      const deadline = budget.deadlineOf(scope);
      const prepaid = scope?.prepaid?.operation === operation && !scope.prepaid.used;
      if (prepaid && scope?.prepaid) scope.prepaid.used = true;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0 || !prepaid) await budget.acquire(operation, args.input, priority, deadline);
        try {
          return await next(args);
        } catch (error) {
          if (!isThrottling(error)) throw error;
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
