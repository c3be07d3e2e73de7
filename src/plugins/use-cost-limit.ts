import { createComplexityRule } from "@pothos/plugin-complexity";
import { type ExecutionArgs, type GraphQLField, getNullableType, isListType, validate } from "graphql";
import type { Plugin } from "graphql-yoga";
import { MAX_PAGE_SIZE } from "../resolvers/connection.ts";

/** Page size a connection returns when `first` is not given (src/resolvers/connection.ts). */
const DEFAULT_PAGE = 20;
/** Assumed length of plain lists (tags, tracks, events): most are short, a few reach hundreds. */
export const LIST_MULTIPLIER = 10;

/**
 * The cost of one field for the Pothos complexity plugin: 1, and its selection multiplied by the page
 * it asks for. A connection's multiplier is its `first` (capped as the resolver caps it) and its
 * `edges` add nothing more; a subscription watching channels is multiplied by how many. So
 * `channels(first: 100) { edges { node { sessions(first: 100) { … } } } }` costs 10,000 × the session
 * selection, which is what it would cost IVS.
 */
export function fieldCost<Context>(
  args: Record<string, unknown>,
  _ctx: Context,
  field: GraphQLField<unknown, Context, Record<string, unknown>>,
) {
  if (field.args.some((a) => a.name === "first")) {
    const first = typeof args.first === "number" ? args.first : DEFAULT_PAGE;
    return { field: 1, multiplier: Math.max(0, Math.min(first, MAX_PAGE_SIZE)) };
  }
  if (Array.isArray(args.arns)) return { field: 1, multiplier: Math.max(1, args.arns.length) };
  if (isListType(getNullableType(field.type)))
    return { field: 1, multiplier: field.name === "edges" ? 1 : LIST_MULTIPLIER };
  return 1;
}

/**
 * Rejects operations costing more than `maxCost` before any resolver (or IVS call) runs, on HTTP and
 * WebSocket alike (both execute through the envelop pipeline). It runs at execution rather than as a
 * validation rule because the cost depends on the variables, and Yoga caches validation per document:
 * a cached "valid" would let `first: $n` pass with any `n`.
 */
export function useCostLimit(maxCost: number): Plugin {
  const check = (args: ExecutionArgs) => {
    const variables = args.variableValues;
    return validate(args.schema, args.document, [
      createComplexityRule({
        context: args.contextValue as object,
        variableValues: typeof variables === "object" && variables !== null ? { ...variables } : {},
        operationName: args.operationName ?? null,
        maxComplexity: maxCost,
      }),
    ]);
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = check(args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = check(args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
