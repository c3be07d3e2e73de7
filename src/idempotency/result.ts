import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from "graphql";
import type { MaskError } from "graphql-yoga";
import type { StoredResult } from "./store.ts";

// What a result is to the idempotency plugin: whether it is final, how it is stored, whether it holds secrets.

/**
 * Whether a result may be replayed for the whole key window: not when a mutation answered a retriable
 * typed error (ThrottledError, ServiceUnavailableError), an error is marked retriable, or an error is
 * unexpected (a bug or an outage: whether it took effect is unknown, and a retry should be possible).
 */
export function isFinal(result: ExecutionResult, sawRetriable: boolean): boolean {
  if (sawRetriable) return false;
  return (result.errors ?? []).every((error) => {
    if (error.extensions?.retriable === true) return false;
    const original = error.originalError as (Error & Partial<GraphQLError> & { retriable?: unknown }) | null;
    if (!original) return true;
    // A GatewayError, known by its flag: instanceof fails when errors.ts is loaded twice (as under vitest).
    if (typeof original.retriable === "boolean") return !original.retriable;
    // By name, not instanceof: graphql can be loaded twice (its CommonJS and ESM builds).
    if (original.name === "GraphQLError")
      return original.extensions?.retriable !== true && !original.originalError;
    return false;
  });
}

/** The result as the client saw it: errors masked as Yoga masks them, without transport internals. */
export function toStored(result: ExecutionResult, maskError: MaskError): StoredResult {
  const stored: StoredResult = {};
  if ("data" in result) stored.data = result.data;
  if (result.errors?.length)
    stored.errors = result.errors.map((error) => {
      const masked = maskError(error, "Unexpected error.", false) as GraphQLError;
      const json = typeof masked.toJSON === "function" ? masked.toJSON() : { message: masked.message };
      const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions ?? {};
      return {
        ...json,
        ...(Object.keys(extensions).length > 0 ? { extensions } : { extensions: undefined }),
      };
    });
  if (result.extensions) {
    const { http: _http, ...extensions } = result.extensions as Record<string, unknown>;
    if (Object.keys(extensions).length > 0) stored.extensions = extensions;
  }
  return JSON.parse(JSON.stringify(stored)) as StoredResult;
}

/**
 * Typed errors are values, not exceptions (the Pothos errors plugin), and a client need not select
 * `__typename`: the result alone cannot tell a ThrottledError. So each Mutation field's resolver is
 * wrapped once per schema to note, per operation context, that one resolved to a retriable error.
 */
export function watchMutations(
  schema: GraphQLSchema,
  seen: WeakSet<object>,
  watched: WeakSet<GraphQLSchema>,
): void {
  if (watched.has(schema)) return;
  watched.add(schema);
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = (source, fieldArgs, context, info) => {
      const note = (value: unknown) => {
        if (isRetriable(value)) seen.add(context as object);
        return value;
      };
      const out = resolve(source, fieldArgs, context, info);
      return out instanceof Promise ? out.then(note) : note(out);
    };
  }
}

/** A gateway error whose `retriable` flag is set (src/errors.ts). */
function isRetriable(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { retriable?: unknown }).retriable === true;
}

/** Playback tokens are secrets without a scope of their own; the rest are the fields needing ivs:secrets. */
const UNSCOPED_SECRETS = new Set(["PlaybackToken.token"]);

/** The default `isSecret`: a field behind the `ivs:secrets` scope (Pothos scope auth), or a playback token. */
export function isSecretField(typeName: string, field: GraphQLField<unknown, unknown>): boolean {
  if (UNSCOPED_SECRETS.has(`${typeName}.${field.name}`)) return true;
  const scopes = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes;
  return typeof scopes === "object" && scopes !== null && "ivs:secrets" in scopes;
}

/** Whether the document selects a secret field anywhere (cached per parsed document). */
export function selectsSecret(
  schema: GraphQLSchema,
  document: DocumentNode,
  cache: WeakMap<DocumentNode, boolean>,
  isSecret: (typeName: string, field: GraphQLField<unknown, unknown>) => boolean,
): boolean {
  const cached = cache.get(document);
  if (cached !== undefined) return cached;
  let found = false;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (
          field &&
          parent &&
          (isObjectType(parent) || isInterfaceType(parent)) &&
          isSecret(parent.name, field)
        )
          found = true;
      },
    }),
  );
  cache.set(document, found);
  return found;
}
