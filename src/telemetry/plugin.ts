import type { IncomingHttpHeaders } from "node:http";
import {
  type Context,
  createContextKey,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { type DocumentNode, type ExecutionResult, type GraphQLError, getOperationAST } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import type { LookupOutcome } from "../mirror/mirror.ts";
import { ERROR_CODES } from "../plugins/mask-errors.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { Tracing } from "./tracing.ts";

export interface UseTracingOptions {
  tracing: Tracing;
  /** Longest span name; a client chooses operation names. Default 100 characters. */
  maxNameLength?: number;
}

/** One operation being traced: its span, the context its resolvers run in, and its mirror reads. */
interface OperationTrace {
  span: Span;
  context: Context;
  lookups: Record<LookupOutcome, number>;
  named: boolean;
  ended: boolean;
}

/** Where an operation's trace sits in the context, for what its resolvers report (mirror reads). */
const OPERATION = createContextKey("ivs-gateway graphql operation");

type Outcome = "ok" | "error" | "invalid";

/**
 * A `graphql.operation` span per GraphQL operation, over HTTP and graphql-ws alike (both run the
 * envelop pipeline): a child of the caller's `traceparent` when it sent one, named `<type> <name>`,
 * ended with its outcome and error codes. Execution runs with the span active, so that the IVS calls
 * its resolvers make (src/telemetry/ivs-middleware.ts) are its children. A subscription's span covers
 * its start only (its source stream may last for hours). Place it before plugins that may refuse an
 * operation in `onExecute` (limits): envelop tells only the plugins before a refusal how it ended.
 */
export function useTracing(options: UseTracingOptions): Plugin {
  const { tracing } = options;
  const maxName = options.maxNameLength ?? 100;
  const operations = new WeakMap<object, OperationTrace>();
  const byRequest = new WeakMap<Request, OperationTrace>();

  // Parse is the first per-operation hook and its context is the operation's (as in use-metrics.ts).
  const begin = (context: object): OperationTrace => {
    const known = operations.get(context);
    if (known) return known;
    const parent = tracing.extract(headersOf(context));
    const span = tracing.tracer.startSpan(SPAN.operation, { kind: SpanKind.SERVER }, parent);
    const op: OperationTrace = {
      span,
      context: parent,
      lookups: { hit: 0, miss: 0, absent: 0 },
      named: false,
      ended: false,
    };
    op.context = trace.setSpan(parent, span).setValue(OPERATION, op);
    operations.set(context, op);
    const { request } = context as { request?: unknown };
    if (request instanceof Request) byRequest.set(request, op);
    return op;
  };
  const name = (op: OperationTrace, document: DocumentNode, operationName?: string | null) => {
    if (op.named) return;
    op.named = true;
    const ast = getOperationAST(document, operationName);
    const type = ast?.operation ?? "unknown";
    const given = (operationName ?? ast?.name?.value)?.slice(0, maxName);
    op.span.updateName(given ? `${type} ${given}` : type);
    op.span.setAttribute(ATTR.operationType, type);
    if (given) op.span.setAttribute(ATTR.operationName, given);
  };
  const end = (
    op: OperationTrace,
    outcome: Outcome,
    errors?: readonly GraphQLError[],
    fallback = "INTERNAL_SERVER_ERROR",
  ) => {
    if (op.ended) return;
    op.ended = true;
    const { span, lookups } = op;
    span.setAttribute(ATTR.outcome, outcome);
    if (lookups.hit + lookups.miss + lookups.absent > 0)
      span.setAttributes({
        [ATTR.mirrorHits]: lookups.hit,
        [ATTR.mirrorMisses]: lookups.miss,
        [ATTR.mirrorAbsent]: lookups.absent,
      });
    if (outcome !== "ok") {
      const codes = [...new Set((errors ?? []).map((e) => codeOf(e, fallback)))];
      span.setAttribute(ATTR.errorCodes, codes);
      span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(", ") || outcome });
    }
    span.end();
  };
  const finish = (op: OperationTrace, result: ExecutionResult) =>
    end(op, result.errors?.length ? "error" : "ok", result.errors);
  // A rejected execution (rare: Yoga turns most failures into results) still ends its span.
  const guard = <T>(op: OperationTrace, run: () => T): T => {
    const value = tracing.with(op.context, run);
    if (typeof (value as { then?: unknown } | undefined)?.then === "function")
      return Promise.resolve(value).catch((error: unknown) => {
        end(op, "error", [error as GraphQLError]);
        throw error;
      }) as T;
    return value;
  };

  return {
    onParse({ context }) {
      const op = begin(context);
      return ({ result }) => {
        if (result instanceof Error) end(op, "invalid", [result as GraphQLError], "GRAPHQL_PARSE_FAILED");
        else if (result) name(op, result, operationNameOf(context));
      };
    },
    onValidate({ context, params }) {
      return ({ valid, result }) => {
        if (valid) return;
        const op = begin(context);
        name(op, params.documentAST, operationNameOf(context));
        end(op, "invalid", result as readonly GraphQLError[], "GRAPHQL_VALIDATION_FAILED");
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const op = begin(args.contextValue as object);
      name(op, args.document, args.operationName);
      const requestId = (args.contextValue as { requestId?: unknown }).requestId;
      if (typeof requestId === "string") op.span.setAttribute(ATTR.requestId, requestId);
      setExecuteFn((a) => guard(op, () => executeFn(a)));
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return finish(op, result);
          // Incremental delivery (@defer/@stream): the operation ends with its last payload.
          const errors: GraphQLError[] = [];
          return {
            onNext({ result: next }) {
              errors.push(...(next.errors ?? []));
            },
            onEnd() {
              end(op, errors.length ? "error" : "ok", errors);
            },
          };
        },
      };
    },
    // Over HTTP, whatever ended the operation without the hooks above (a plugin refusing it before
    // execution, a context factory that threw) still ends its span, with the errors the client gets.
    onResultProcess({ request, result }) {
      const op = byRequest.get(request);
      if (!op || op.ended || isAsyncIterable(result)) return;
      const errors = (Array.isArray(result) ? result : [result]).flatMap((r) => r.errors ?? []);
      end(op, errors.length ? "error" : "ok", errors);
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const op = begin(args.contextValue as object);
      name(op, args.document, args.operationName);
      setSubscribeFn((a) => guard(op, () => subscribeFn(a)));
      return {
        onSubscribeResult({ result }) {
          if (isAsyncIterable(result)) end(op, "ok");
          else finish(op, result);
        },
      };
    },
  };
}

/**
 * Counts a mirror read on the operation whose resolver made it (`gateway.mirror.*` on its span); reads
 * that went to IVS also leave a span event naming the kind, just before the `ivs.call` they caused.
 */
export function noteMirrorLookup(tracing: Tracing, kind: string, outcome: LookupOutcome): void {
  const op = tracing.active().getValue(OPERATION) as OperationTrace | undefined;
  if (!op || op.ended) return;
  op.lookups[outcome] += 1;
  if (outcome !== "hit") op.span.addEvent(`mirror.${outcome}`, { kind });
}

/** Yoga's HTTP request, or the upgrade request of a graphql-ws socket (src/http/transport-ws.ts). */
function headersOf(context: object): Headers | IncomingHttpHeaders | undefined {
  const c = context as { request?: { headers?: unknown }; req?: { headers?: IncomingHttpHeaders } };
  if (c.request?.headers instanceof Headers) return c.request.headers;
  return c.req?.headers;
}

function operationNameOf(context: object): string | undefined {
  return (context as { params?: { operationName?: string } }).params?.operationName ?? undefined;
}

/** The code a client sees (`extensions.code`), never a message: messages may quote inputs. */
function codeOf(error: GraphQLError, fallback: string): string {
  const code = error.extensions?.code;
  if (typeof code === "string") return code;
  const original = (error as { originalError?: { name?: string } }).originalError;
  return (original?.name && ERROR_CODES[original.name]) || fallback;
}
