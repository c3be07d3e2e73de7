import { type ExecutionResult, type GraphQLError, getOperationAST } from "graphql";
import { isAsyncIterable, type Plugin, type YogaLogger } from "graphql-yoga";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { operationLabel } from "./operation-name.ts";

export interface UseLoggingOptions {
  logger: Logger;
  /** Level of the one line per successful operation. Default `debug`. */
  level?: "debug" | "info";
  /** Level of the one line per operation refused for the client's own mistake. Default `info`. */
  clientErrorLevel?: "debug" | "info";
}

/**
 * Who an error is for: `client` (bad input, a missing resource, a refused operation: the caller's
 * business, no stack), `unavailable` (IVS or the budget said retry later: worth a warning, no stack),
 * `fault` (a bug or an outage: error level, with the stack, for whoever is on call).
 */
export type ErrorKind = "client" | "unavailable" | "fault";

export function errorKind(error: unknown): ErrorKind {
  let cause = error;
  // A GraphQLError may wrap what was thrown; graphql can be loaded twice (CommonJS and ESM builds), so by name.
  while (cause instanceof Error && cause.name === "GraphQLError") {
    const inner = (cause as GraphQLError).originalError;
    if (!inner) return "client";
    cause = inner;
  }
  if (cause instanceof GatewayError) return cause.retriable ? "unavailable" : "client";
  return "fault";
}

/** The error itself, or what a GraphQLError wraps. */
function causeOf(error: GraphQLError): Error {
  let cause: Error = error;
  while (cause.name === "GraphQLError" && (cause as GraphQLError).originalError)
    cause = (cause as GraphQLError).originalError as Error;
  return cause;
}

/**
 * Errors this plugin has logged. Yoga logs every error its masking rewrites (src/plugins/mask-errors.ts
 * rewrites all of the gateway's own), after this plugin saw it; `yogaLogger` skips these, so that each
 * failure is logged once.
 */
const reported = new WeakSet<object>();

/**
 * One log line per GraphQL operation: name, type, duration and error messages; a fault (anything that
 * is not the gateway's own expected error) gets an error line with its stack. Variables are never
 * logged, because mutation inputs can carry secrets the redaction paths do not know.
 */
export function useLogging(options: UseLoggingOptions): Plugin {
  const { logger } = options;
  const level = options.level ?? "debug";
  const clientLevel = options.clientErrorLevel ?? "info";
  const describe = (args: {
    document: Parameters<typeof getOperationAST>[0];
    operationName?: string | null;
  }) => {
    const ast = getOperationAST(args.document, args.operationName);
    return { operation: operationLabel(args.operationName ?? ast?.name?.value), type: ast?.operation };
  };

  const failed = (fields: Record<string, unknown>, errors: readonly GraphQLError[]) => {
    for (const error of errors) reported.add(error);
    const summary = errors.map((e) => e.message);
    const faults = errors.filter((e) => errorKind(e) === "fault");
    for (const error of faults)
      logger.error(
        { ...fields, err: causeOf(error), path: error.path, errors: summary },
        "graphql operation failed",
      );
    if (faults.length > 0) return;
    const unavailable = errors.some((e) => errorKind(e) === "unavailable");
    logger[unavailable ? "warn" : clientLevel]({ ...fields, errors: summary }, "graphql operation failed");
  };

  return {
    onValidate({ params }) {
      return ({ valid, result }) => {
        if (valid) return;
        const errors = result as readonly GraphQLError[];
        for (const error of errors) reported.add(error);
        logger.debug(
          { ...describe({ document: params.documentAST }), errors: errors.map((e) => e.message) },
          "graphql operation invalid",
        );
      };
    },
    onExecute({ args }) {
      const start = performance.now();
      const fields = describe(args);
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          const ms = Math.round(performance.now() - start);
          const errors = (result as ExecutionResult).errors ?? [];
          if (errors.length === 0) return void logger[level]({ ...fields, ms }, "graphql operation");
          failed({ ...fields, ms }, errors);
        },
      };
    },
    onSubscribe({ args }) {
      const fields = describe(args);
      return {
        onSubscribeResult({ result }) {
          if (isAsyncIterable(result)) return void logger[level](fields, "graphql subscription");
          if (result.errors?.length) failed(fields, result.errors);
        },
        onSubscribeError({ error }) {
          if (error instanceof Error) {
            reported.add(error);
            log(logger, "error", error, fields);
          }
        },
      };
    },
  };
}

/** One error at its kind's level: a fault at `level` with its stack, anything else lower and without. */
function log(logger: Logger, level: "warn" | "error", error: Error, fields: Record<string, unknown> = {}) {
  const kind = errorKind(error);
  if (kind === "fault") return void logger[level]({ ...fields, err: error }, error.message);
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  logger[kind === "unavailable" ? "warn" : "debug"]({ ...fields, ...(code ? { code } : {}) }, error.message);
}

/**
 * Yoga's own log calls (request parsing, unexpected errors) routed into pino. An error useLogging
 * already logged is not logged again; a client's mistake is never an error line.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) {
        if (reported.has(first)) return;
        if (level === "warn" || level === "error") return log(logger, level, first);
        return void logger[level]({ err: first }, first.message);
      }
      logger[level]({ details: rest.length > 0 ? rest : undefined }, String(first));
    };
  return { debug: forward("debug"), info: forward("info"), warn: forward("warn"), error: forward("error") };
}
