import { createComplexityRule } from "@pothos/plugin-complexity";
import {
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLField,
  type GraphQLSchema,
  getNullableType,
  isListType,
  validate,
} from "graphql";
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

/** Variables as a string that tells apart every distinct JSON value; undefined for anything else. */
function jsonKey(value: unknown): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const key = jsonKey(item);
      if (key === undefined) return undefined;
      items.push(key);
    }
    return `[${items.join(",")}]`;
  }
  if (typeof value !== "object") return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const members: string[] = [];
  for (const [name, member] of Object.entries(value)) {
    const key = jsonKey(member);
    if (key === undefined) return undefined;
    members.push(`${JSON.stringify(name)}:${key}`);
  }
  return `{${members.join(",")}}`;
}

/** Distinct operation names and variables remembered per document as within the limit. */
const PASSES_PER_DOCUMENT = 100;
/** Longer keys (large variables) are not remembered: costed every time. */
const MAX_KEY_LENGTH = 4096;

/**
 * Rejects operations costing more than `maxCost` before any resolver (or IVS call) runs, on HTTP and
 * WebSocket alike (both execute through the envelop pipeline). It runs at execution rather than as a
 * validation rule because the cost depends on the variables, and Yoga caches validation per document:
 * a cached "valid" would let `first: $n` pass with any `n`.
 *
 * The cost is a function of the document, the operation name and the variables only (`fieldCost`
 * ignores the context, and the schema's fixed costs are constants), so a pass is remembered for that
 * document (the parsed document Yoga caches) and schema with that name and those exact variables (plain JSON
 * values only), and a repeated operation is not costed again. Refusals are never remembered: each is
 * costed and reported afresh.
 */
export function useCostLimit(maxCost: number): Plugin {
  const passedBySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Set<string>>>();
  const check = (args: ExecutionArgs) => {
    const variables = args.variableValues;
    const vars = jsonKey(variables ?? {});
    const key = vars === undefined ? undefined : `${args.operationName ?? ""} ${vars}`;
    let passed = passedBySchema.get(args.schema);
    if (!passed) {
      passed = new WeakMap();
      passedBySchema.set(args.schema, passed);
    }
    const known = passed.get(args.document);
    if (key !== undefined && known?.has(key)) return [];
    const errors = validate(args.schema, args.document, [
      createComplexityRule({
        context: args.contextValue as object,
        variableValues: typeof variables === "object" && variables !== null ? { ...variables } : {},
        operationName: args.operationName ?? null,
        maxComplexity: maxCost,
      }),
    ]);
    if (errors.length === 0 && key !== undefined && key.length <= MAX_KEY_LENGTH) {
      if (!known) passed.set(args.document, new Set([key]));
      else if (known.size < PASSES_PER_DOCUMENT) known.add(key);
    }
    return errors;
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
