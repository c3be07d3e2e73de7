import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { createGraphQLError, type GraphQLParams, type Plugin } from "graphql-yoga";
import type { TrustedDocuments } from "./manifest.ts";

export interface TrustedDocumentsOptions {
  /** The manifest (TRUSTED_DOCUMENTS), loaded and checked at start (src/documents/manifest.ts). */
  documents: TrustedDocuments;
  /** TRUSTED_DOCUMENTS_ONLY: refuse every document that is not in the manifest. Default false. */
  only: boolean;
}

/**
 * Where clients put the id of a persisted document, besides Apollo's `extensions.persistedQuery.sha256Hash`:
 * the GraphQL over HTTP draft's `documentId`, and Relay's `doc_id` / `id` (whatever the app's fetch sends).
 */
export const DOCUMENT_ID_PARAMS = ["documentId", "doc_id", "id"] as const;

/** What a request (HTTP params or a graphql-ws subscribe payload) carries besides the standard four. */
type Params = { query?: unknown; extensions?: unknown } & Partial<
  Record<(typeof DOCUMENT_ID_PARAMS)[number], unknown>
>;

/** The document id a request sends, from its body or extensions, or from the URL of a GET; null when none. */
export function documentIdOf(params: Params, request?: Request): string | null {
  for (const name of DOCUMENT_ID_PARAMS) {
    const value = params[name];
    if (typeof value === "string" && value !== "") return value;
  }
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  if (typeof persisted?.sha256Hash === "string" && persisted.sha256Hash !== "") return persisted.sha256Hash;
  // Yoga's GET parser keeps only query, variables, operationName and extensions.
  if (request?.method === "GET") {
    const search = new URL(request.url).searchParams;
    for (const name of DOCUMENT_ID_PARAMS) {
      const value = search.get(name);
      if (value) return value;
    }
  }
  return null;
}

/** A document outside the manifest, in only-mode. */
export function notTrustedError() {
  return createGraphQLError(
    "This gateway runs trusted documents only (TRUSTED_DOCUMENTS_ONLY): send the id of a document of " +
      "TRUSTED_DOCUMENTS (documentId, doc_id or extensions.persistedQuery.sha256Hash) instead of a document",
    { extensions: { code: "DOCUMENT_NOT_TRUSTED", http: { status: 400 } } },
  );
}

/**
 * An id the manifest does not hold. Outside only-mode the code is APQ's PERSISTED_QUERY_NOT_FOUND, on which
 * Apollo Client's persisted-queries link retries with the document itself (and that runs); in only-mode it
 * is PERSISTED_QUERY_NOT_IN_LIST, which it does not retry, since the document would be refused.
 */
export function notFoundError(id: string, only: boolean) {
  const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
  return createGraphQLError(
    `PersistedQueryNotFound: TRUSTED_DOCUMENTS has no document with the id "${shown}"`,
    {
      extensions: { code: only ? "PERSISTED_QUERY_NOT_IN_LIST" : "PERSISTED_QUERY_NOT_FOUND" },
    },
  );
}

function missingIdError() {
  return createGraphQLError(
    "Send a document (query) or the id of a trusted document (documentId, doc_id or extensions.persistedQuery.sha256Hash)",
    { extensions: { code: "BAD_REQUEST", http: { status: 400 } } },
  );
}

/**
 * Persisted operations over HTTP (GET, POST, SSE subscriptions): Yoga's usePersistedOperations fed from the
 * manifest, plus, in only-mode, a check at parse time that also covers graphql-ws (whose transport resolves
 * ids itself, with `trustedQueryOf`), so no transport can run a document outside the manifest.
 */
export function useTrustedDocuments({ documents, only }: TrustedDocumentsOptions): Plugin[] {
  const normalize: Plugin = {
    onParams({ params, setParams }) {
      const p = params as Params;
      if (typeof p.query !== "string" || p.query === "") return;
      // A trusted document sent in full is as trusted as its id: run it as that id, also in only-mode.
      const id = only ? documents.idOf(p.query) : undefined;
      if (id !== undefined) {
        const { query: _text, ...rest } = p;
        setParams({ ...rest, documentId: id } as GraphQLParams);
      } else if (DOCUMENT_ID_PARAMS.some((name) => p[name] != null)) {
        // A document and an id: the document runs (or is refused), and Yoga would reject the unknown params.
        const rest = { ...p };
        for (const name of DOCUMENT_ID_PARAMS) delete rest[name];
        setParams(rest as GraphQLParams);
      }
    },
  };
  const persisted = usePersistedOperations({
    getPersistedOperation: (id) => documents.get(id) ?? null,
    allowArbitraryOperations: !only,
    extractPersistedOperationId: (params, request) => documentIdOf(params as Params, request),
    customErrors: {
      notFound: ({ params, request }) => notFoundError(documentIdOf(params as Params, request) ?? "", only),
      persistedQueryOnly: () => notTrustedError(),
      keyNotFound: () => missingIdError(),
    },
  }) as Plugin;
  if (!only) return [normalize, persisted];
  const guard: Plugin = {
    onParse({ params: { source } }) {
      const text = typeof source === "string" ? source : source.body;
      if (documents.idOf(text) === undefined) throw notTrustedError();
    },
  };
  return [normalize, persisted, guard];
}

/**
 * The document a graphql-ws subscribe message runs (Yoga's onParams hooks are HTTP-only): the manifest's
 * document for an id sent with an empty query, else the query itself, which in only-mode must be one of
 * the manifest's. Throws the same errors as HTTP.
 */
export function trustedQueryOf({ documents, only }: TrustedDocumentsOptions, payload: Params): string {
  if (typeof payload.query === "string" && payload.query !== "") {
    if (only && documents.idOf(payload.query) === undefined) throw notTrustedError();
    return payload.query;
  }
  const id = documentIdOf(payload);
  if (id === null) throw missingIdError();
  const text = documents.get(id);
  if (text === undefined) throw notFoundError(id, only);
  return text;
}
