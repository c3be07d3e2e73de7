import { type DocumentNode, type ExecutionResult, getOperationAST } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import type { GatewayMetrics } from "../metrics.ts";
import { MAX_NAME_LENGTH, operationLabel } from "./operation-name.ts";

export interface UseMetricsOptions {
  metrics: GatewayMetrics;
  /**
   * Operation names are chosen by clients; beyond this many distinct names the rest are counted as
   * `other`, so that a careless or hostile client cannot blow up the series count. Default 100.
   */
  maxOperationNames?: number;
  /**
   * Nor the size of each series: a longer name is cut to this many characters, the last one `…`
   * (src/plugins/operation-name.ts). Default 64.
   */
  maxOperationNameLength?: number;
}

/** Counts and times GraphQL operations into the gateway's Prometheus registry. */
export function useMetrics(options: UseMetricsOptions): Plugin {
  const { graphqlOperations, graphqlDuration } = options.metrics;
  const max = options.maxOperationNames ?? 100;
  const maxLength = options.maxOperationNameLength ?? MAX_NAME_LENGTH;
  const seen = new Set<string>();
  const started = new WeakMap<object, number>();

  const label = (name: string | null | undefined): string => {
    // Cut before counting: names that differ only past the cut are one series.
    const operation = operationLabel(name, maxLength);
    if (seen.has(operation)) return operation;
    if (seen.size >= max) return "other";
    seen.add(operation);
    return operation;
  };
  const describe = (document: DocumentNode, operationName?: string | null) => {
    const ast = getOperationAST(document, operationName);
    return { operation: label(operationName ?? ast?.name?.value), type: ast?.operation ?? "unknown" };
  };
  const outcome = (result: ExecutionResult) => (result.errors?.length ? "error" : "ok");

  return {
    onParse({ context }) {
      // Parse is the first per-operation hook, so timing starts here; the context is unique per operation.
      started.set(context, performance.now());
      return ({ result }) => {
        if (result instanceof Error)
          graphqlOperations.inc({
            operation: label(operationNameOf(context)),
            type: "unknown",
            outcome: "invalid",
          });
      };
    },
    onValidate({ params }) {
      return ({ valid }) => {
        if (!valid) graphqlOperations.inc({ ...describe(params.documentAST), outcome: "invalid" });
      };
    },
    onExecute({ args }) {
      const labels = describe(args.document, args.operationName);
      const record = (result: string) => {
        graphqlOperations.inc({ ...labels, outcome: result });
        const start = started.get(args.contextValue);
        if (start !== undefined) graphqlDuration.observe(labels, (performance.now() - start) / 1000);
      };
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return record(outcome(result));
          // Incremental delivery (@defer/@stream): the operation ends with its last payload.
          let failed = false;
          return {
            onNext({ result: next }) {
              if (next.errors?.length) failed = true;
            },
            onEnd() {
              record(failed ? "error" : "ok");
            },
          };
        },
      };
    },
    onSubscribe({ args }) {
      const labels = describe(args.document, args.operationName);
      return {
        onSubscribeResult({ result }) {
          // A subscription's lifetime is not a latency; only whether it could start is counted.
          graphqlOperations.inc({ ...labels, outcome: isAsyncIterable(result) ? "ok" : outcome(result) });
        },
      };
    },
  };
}

/** Yoga puts the request's GraphQL parameters on the initial context. */
function operationNameOf(context: unknown): string | undefined {
  return (context as { params?: { operationName?: string } }).params?.operationName;
}
