import type { ExecutionResult, GraphQLError } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { redactSecrets } from "../redact.ts";

export interface UseClientMessagesOptions {
  /**
   * Keep graphql-js's hints ("Did you mean …?", "Did you mean to use an inline fragment on …?", enum
   * value, argument and type suggestions). They map the schema, so src/plugins/use-limits.ts keeps them
   * only where introspection and FIELD_SUGGESTIONS are both on. Default false.
   */
  hints?: boolean;
}

const HINT = " Did you mean ";

/**
 * `message` as a client may read it: without graphql-js's trailing suggestion (every kind of it is
 * appended by `didYouMean` or ScalarLeafsRule as " Did you mean …?"), and without secret-shaped values.
 */
export function clientMessage(message: string, hints = false): string {
  let out = message;
  if (!hints) {
    const at = out.lastIndexOf(HINT);
    if (at >= 0 && out.endsWith("?")) out = out.slice(0, at);
  }
  return redactSecrets(out);
}

/**
 * Rewrites the messages of the errors graphql-js writes itself: validation errors, and the variable
 * coercion errors of execution (the gateway's own errors are rewritten by maskGatewayErrors). It runs
 * on every transport: graphql-ws executes through Yoga's envelop too (src/http/transport-ws.ts).
 */
export function useClientMessages(options: UseClientMessagesOptions = {}): Plugin {
  const hints = options.hints ?? false;
  // In place, as GraphQL Armor does: the errors keep their identity (and locations, paths, extensions).
  const rewrite = (errors: readonly GraphQLError[] | undefined) => {
    for (const error of errors ?? []) {
      if (error.originalError && error.originalError.name !== "GraphQLError") continue;
      const message = clientMessage(error.message, hints);
      if (message !== error.message) error.message = message;
    }
  };
  const rewriteResult = ({ result }: { result: unknown }) => {
    if (!isAsyncIterable(result)) rewrite((result as ExecutionResult).errors);
  };
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) rewrite(result as readonly GraphQLError[]);
      };
    },
    onExecute() {
      return { onExecuteDone: rewriteResult };
    },
    onSubscribe() {
      return { onSubscribeResult: rewriteResult };
    },
  };
}
