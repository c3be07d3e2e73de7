import { createHash } from "node:crypto";
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLField,
  type GraphQLSchema,
  getOperationAST,
  print,
} from "graphql";
import {
  createGraphQLError,
  isAsyncIterable,
  type MaskError,
  type Plugin,
  type YogaLogger,
} from "graphql-yoga";
import type { Principal } from "../auth/principal.ts";
import { isFinal, isSecretField, selectsSecret, toStored, watchMutations } from "./result.ts";
import type { IdempotencyStore, StoredResult } from "./store.ts";

/** The request header (draft-ietf-httpapi-idempotency-key-header); graphql-ws sends `extensions.idempotencyKey`. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
/** Set to `true` on an HTTP response that is a replay; every replay also carries `extensions.idempotency.replayed`. */
export const REPLAYED_HEADER = "idempotency-replayed";

/** Every refusal of this plugin: its `extensions.code`, HTTP status and whether a retry may succeed. */
export const IDEMPOTENCY_ERRORS = {
  invalid: { code: "IDEMPOTENCY_KEY_INVALID", status: 400, retriable: false },
  reused: { code: "IDEMPOTENCY_KEY_REUSED", status: 422, retriable: false },
  inFlight: { code: "IDEMPOTENCY_IN_FLIGHT", status: 409, retriable: true },
  withheld: { code: "IDEMPOTENCY_RESULT_WITHHELD", status: 409, retriable: false },
  unavailable: { code: "IDEMPOTENCY_UNAVAILABLE", status: 503, retriable: true },
} as const;

export interface UseIdempotencyOptions {
  store: IdempotencyStore;
  /** The gateway's error masking, applied to errors before they are stored (Yoga masks after this plugin). */
  maskError: MaskError;
  /** How long a repeat waits for the first request with its key to finish before IDEMPOTENCY_IN_FLIGHT. Default 15 s. */
  waitMs?: number;
  /** Which fields hold secrets (kept out of Redis unless sealed). Default `isSecretField`. */
  isSecret?: (typeName: string, field: GraphQLField<unknown, unknown>) => boolean;
}

type Context = {
  principal?: Principal;
  request?: Request;
  params?: { extensions?: Record<string, unknown> };
};

/**
 * Idempotency keys for mutations: the first result of a (principal, key) is stored and returned to every
 * repeat of the same operation without executing it again; the same key with another operation, variables
 * or scopes is refused. Queries and subscriptions ignore the key. See README "Safe retries".
 */
export function useIdempotency(options: UseIdempotencyOptions): Plugin {
  const { store, maskError } = options;
  const waitMs = options.waitMs ?? 15_000;
  const isSecret = options.isSecret ?? isSecretField;
  const retriable = new WeakSet<object>();
  const watched = new WeakSet<GraphQLSchema>();
  const secretDocs = new WeakMap<DocumentNode, boolean>();
  let logger: YogaLogger | undefined;

  return {
    onYogaInit({ yoga }) {
      logger = yoga.logger;
    },
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== "mutation") return;
      const context = args.contextValue as Context;
      const read = keyOf(context);
      if (read === undefined) return;
      const http = Boolean(context.request);
      if (typeof read !== "string") return setResultAndStopExecution(refusal("invalid", read.problem, http));
      const principal = context.principal;
      if (!principal) return;
      watchMutations(args.schema, retriable, watched);
      const scoped = sha256(`${principal.id}\n${read}`);
      const fingerprint = fingerprintOf(args, principal);

      // Claims the key (a claim: this request executes), or waits for whoever holds it, or refuses.
      const settle = async (): Promise<ExecutionResult | { claim: string }> => {
        const deadline = Date.now() + waitMs;
        for (let pause = 25; ; pause = Math.min(pause * 1.5, 500)) {
          const begun = await store.begin(scoped, fingerprint);
          if (begun.kind === "new") return { claim: begun.claim };
          if (begun.kind === "replay") return replayOf(begun.result, http);
          if (begun.kind === "mismatch")
            return refusal(
              "reused",
              "This Idempotency-Key was already used for a different request (operation, variables or credentials' scopes); use a new key",
              http,
            );
          if (begun.kind === "withheld")
            return refusal(
              "withheld",
              "The first request with this Idempotency-Key succeeded, but its result held secrets, which are kept in Redis only sealed (MIRROR_SECRET_KEY); read the resource instead",
              http,
            );
          if (Date.now() + pause > deadline)
            return refusal(
              "inFlight",
              "A request with this Idempotency-Key is still being processed; retry shortly",
              http,
            );
          await new Promise((r) => setTimeout(r, pause));
        }
      };

      return (async () => {
        let settled: ExecutionResult | { claim: string };
        try {
          settled = await settle();
        } catch (error) {
          logger?.warn("idempotency store unavailable", error);
          return setResultAndStopExecution(
            refusal("unavailable", "Idempotency keys are unavailable right now; retry shortly", http),
          );
        }
        if (!("claim" in settled)) return setResultAndStopExecution(settled);
        const { claim } = settled;
        setExecuteFn(async (execArgs) => {
          let result: Awaited<ReturnType<typeof executeFn>>;
          try {
            // A dropped connection must not cut a keyed mutation short: its result is what the retry gets.
            result = await executeFn(withoutSignal(execArgs));
          } catch (error) {
            await store.abandon(scoped, claim).catch((e) => logger?.warn("idempotency abandon failed", e));
            throw error;
          }
          try {
            if (isAsyncIterable(result) || !isFinal(result, retriable.has(execArgs.contextValue as object)))
              await store.abandon(scoped, claim);
            else {
              const secret = selectsSecret(args.schema, args.document, secretDocs, isSecret);
              await store.complete(scoped, claim, fingerprint, toStored(result, maskError), secret);
            }
          } catch (error) {
            // The caller still gets its answer; the claim lapses after its claim time.
            logger?.warn("idempotency store failed to record a result", error);
          }
          return result;
        });
      })();
    },
  };
}

/** The key of a request: the header, or `extensions.idempotencyKey`; `{ problem }` when malformed. */
function keyOf(context: Context): string | { problem: string } | undefined {
  const header = context.request?.headers.get(IDEMPOTENCY_HEADER) ?? undefined;
  const extension = context.params?.extensions?.idempotencyKey;
  if (header === undefined && extension === undefined) return undefined;
  if (extension !== undefined && typeof extension !== "string")
    return { problem: "extensions.idempotencyKey must be a string" };
  // The draft makes the header a Structured Field string ("…"); a bare token is accepted too.
  const fromHeader = header === undefined ? undefined : unquote(header.trim());
  if (fromHeader !== undefined && extension !== undefined && fromHeader !== extension)
    return { problem: "The Idempotency-Key header and extensions.idempotencyKey differ" };
  const key = fromHeader ?? (extension as string);
  if (!/^[\x20-\x7e]{1,255}$/.test(key))
    return { problem: "An Idempotency-Key must be 1–255 printable ASCII characters" };
  return key;
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(["\\])/g, "$1");
}

function refusal(kind: keyof typeof IDEMPOTENCY_ERRORS, message: string, http: boolean): ExecutionResult {
  const { code, status, retriable } = IDEMPOTENCY_ERRORS[kind];
  const headers = kind === "inFlight" || kind === "unavailable" ? { "retry-after": "1" } : undefined;
  return {
    errors: [
      createGraphQLError(message, {
        extensions: {
          code,
          retriable,
          ...(http ? { http: { status, ...(headers ? { headers } : {}) } } : {}),
        },
      }),
    ],
  };
}

function replayOf(stored: StoredResult, http: boolean): ExecutionResult {
  return {
    ...(stored as ExecutionResult),
    extensions: {
      ...stored.extensions,
      idempotency: { replayed: true },
      // Yoga turns `extensions.http` into response headers and leaves it out of the body.
      ...(http ? { http: { headers: { [REPLAYED_HEADER]: "true" } } } : {}),
    },
  };
}

/**
 * SHA-256 of what makes two requests "the same": the printed document (whitespace and comments do not
 * count), the operation, the variables as canonical JSON, and the caller's scopes and tenant (so that a
 * key reused with narrower credentials cannot replay what only broader ones could read).
 */
function fingerprintOf(args: ExecutionArgs, principal: Principal): string {
  const operation = getOperationAST(args.document, args.operationName);
  return sha256(
    JSON.stringify([
      print(args.document),
      operation?.name?.value ?? args.operationName ?? null,
      canonical(args.variableValues ?? {}),
      [...principal.scopes].sort(),
      principal.tenant ?? null,
    ]),
  );
}

/** Objects with sorted keys, recursively, so that `{a,b}` and `{b,a}` fingerprint alike. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => [k, canonical(record[k])]),
  );
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function withoutSignal(args: ExecutionArgs): ExecutionArgs {
  const { signal: _signal, ...rest } = args as ExecutionArgs & { signal?: AbortSignal };
  return rest;
}
