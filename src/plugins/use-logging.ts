import { type ExecutionResult, getOperationAST } from "graphql";
import { isAsyncIterable, type Plugin, type YogaLogger } from "graphql-yoga";
import type { Logger } from "../logger.ts";

export interface UseLoggingOptions {
  logger: Logger;
  /** Level of the one line per operation; failures are always `warn`. Default `debug`. */
  level?: "debug" | "info";
}

/**
 * One log line per GraphQL operation: name, type, duration and error messages. Variables are never
 * logged, because mutation inputs can carry secrets the redaction paths do not know.
 */
export function useLogging(options: UseLoggingOptions): Plugin {
  const { logger } = options;
  const level = options.level ?? "debug";
  return {
    onExecute({ args }) {
      const start = performance.now();
      const ast = getOperationAST(args.document, args.operationName);
      const fields = {
        operation: args.operationName ?? ast?.name?.value ?? "anonymous",
        type: ast?.operation,
      };
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          const ms = Math.round(performance.now() - start);
          const errors = (result as ExecutionResult).errors ?? [];
          if (errors.length === 0) return void logger[level]({ ...fields, ms }, "graphql operation");
          for (const error of errors) {
            const cause = error.originalError;
            // An error that is not a GraphQLError is a bug or an outage: keep its stack for whoever is on call.
            // By name, not instanceof: graphql can be loaded twice (its CommonJS and ESM builds).
            if (cause && cause.name !== "GraphQLError")
              logger.error({ ...fields, err: cause, path: error.path });
          }
          logger.warn({ ...fields, ms, errors: errors.map((e) => e.message) }, "graphql operation failed");
        },
      };
    },
  };
}

/** Yoga's own log calls (request parsing, unexpected errors) routed into pino. */
export function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length > 0 ? rest : undefined }, String(first));
    };
  return { debug: forward("debug"), info: forward("info"), warn: forward("warn"), error: forward("error") };
}
