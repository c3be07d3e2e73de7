import type { IvsClient } from "@aws-sdk/client-ivs";
import { outcomeOf } from "./outcome.ts";
import { currentScope } from "./scope.ts";

type Metadata = { $metadata?: { requestId?: string } };

/**
 * Notes every IVS attempt made in a scope that asks for it (`CallScope.observed`, set by the audit
 * trail around each mutation): operation, IVS request id and outcome. It sits right below `below` (the
 * budget middleware, or the SDK's retry middleware without a budget), so a retried or throttled call
 * shows each attempt with its own request id, as CloudTrail records them. Calls outside such a scope,
 * coalesced batches included (their merged scope has no `observed`), cost one lookup.
 */
export function useObservedCalls(client: IvsClient, below = "retryMiddleware"): void {
  type Handler = (args: unknown) => Promise<{ output?: unknown }>;
  const middleware = (next: Handler, context: { commandName?: string }) => async (args: unknown) => {
    const observed = currentScope()?.observed;
    if (!observed) return next(args);
    const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
    try {
      const result = await next(args);
      const requestId = (result.output as Metadata | undefined)?.$metadata?.requestId;
      observed.push({ operation, outcome: "OK", ...(requestId ? { requestId } : {}) });
      return result;
    } catch (error) {
      const requestId = (error as Metadata).$metadata?.requestId;
      observed.push({ operation, outcome: outcomeOf(error), ...(requestId ? { requestId } : {}) });
      throw error;
    }
  };
  // As in budget-middleware.ts: addRelativeTo's parameter is a union no lambda can be inferred from.
  client.middlewareStack.addRelativeTo(
    middleware as unknown as Parameters<IvsClient["middlewareStack"]["addRelativeTo"]>[0],
    { relation: "after", toMiddleware: below, name: "ivsObserve", override: true },
  );
}
