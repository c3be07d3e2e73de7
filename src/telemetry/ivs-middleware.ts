import type { IvsClient } from "@aws-sdk/client-ivs";
import { type Span, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { budgetStatsOf } from "../ivs/budget-middleware.ts";
import { outcomeOf } from "../ivs/outcome.ts";
import { currentScope } from "../ivs/scope.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { Tracing } from "./tracing.ts";

/** The name of the tracing middleware in the IVS client's stack. */
export const TRACING_MIDDLEWARE = "ivsTrace";

type Metadata = { $metadata?: { requestId?: string; httpStatusCode?: number; attempts?: number } };

/**
 * An `IVS.<Operation>` client span per IVS call, child of whatever span is active (a GraphQL
 * operation's, an ingest's) or a root span for background work. It sits first at the initialize step,
 * so that one span covers the whole call: the budget's waits, the SDK's retries and the budget's
 * throttle retries, which it reports as attributes (the budget middleware leaves its figures on the
 * handler context). Neither inputs nor outputs are recorded: they may hold stream keys.
 */
export function useTracedCalls(client: IvsClient, tracing: Tracing): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      const span = tracing.tracer.startSpan(
        SPAN.ivsCall(operation),
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR.rpcSystem]: "aws-api",
            [ATTR.rpcService]: "IVS",
            [ATTR.rpcMethod]: operation,
            [ATTR.awsOperation]: operation,
            [ATTR.priority]: currentScope()?.priority ?? "interactive",
          },
        },
        tracing.active(),
      );
      try {
        const result = await next(args);
        close(span, "OK", (result.output as Metadata).$metadata, context);
        return result;
      } catch (error) {
        close(span, outcomeOf(error), (error as Metadata).$metadata, context);
        throw error;
      }
    },
    { step: "initialize", priority: "high", name: TRACING_MIDDLEWARE, override: true },
  );
}

function close(span: Span, outcome: string, metadata: Metadata["$metadata"], context: object): void {
  const budget = budgetStatsOf(context);
  // The budget counts every request it let through; without one, the SDK's own count.
  const attempts = budget?.attempts ?? metadata?.attempts ?? 1;
  span.setAttributes({
    [ATTR.ivsOutcome]: outcome,
    [ATTR.ivsAttempts]: attempts,
    [ATTR.ivsRetries]: Math.max(0, attempts - 1),
    ...(metadata?.requestId ? { [ATTR.awsRequestId]: metadata.requestId } : {}),
    ...(metadata?.httpStatusCode ? { [ATTR.httpStatus]: metadata.httpStatusCode } : {}),
    ...(budget
      ? { [ATTR.ivsThrottled]: budget.throttled, [ATTR.budgetWaitMs]: Math.round(budget.waitMs * 10) / 10 }
      : {}),
  });
  if (outcome !== "OK") {
    span.setAttribute(ATTR.errorType, outcome);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
  }
  span.end();
}
