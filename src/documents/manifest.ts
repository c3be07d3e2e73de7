import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type GraphQLError, type GraphQLSchema, Kind, parse, validate } from "graphql";
import { ConfigError } from "../config/primitives.ts";

/** The manifest formats TRUSTED_DOCUMENTS reads. */
export type ManifestFormat =
  /** `{ "<id>": "<document>" }`: relay-compiler's `persistConfig.file`, GraphQL Codegen's `persisted-documents.json`. */
  | "hash-map"
  /** `{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, body, … }] }`. */
  | "apollo";

/** The allowed operations: id → document text, checked against the schema when loaded. */
export interface TrustedDocuments {
  readonly format: ManifestFormat;
  /** How many ids the manifest holds. */
  readonly size: number;
  /** The document with this id, or undefined. */
  get(id: string): string | undefined;
  /** The id of this exact document text when the manifest holds it (a client that sent the text in full). */
  idOf(text: string): string | undefined;
}

const APOLLO_FORMAT = "apollo-persisted-query-manifest";
const SHA256_HEX = /^[0-9a-f]{64}$/i;
const VARIABLE = "TRUSTED_DOCUMENTS";

/** Reads and checks the manifest at `path`; a missing, unreadable or bad file is a ConfigError naming TRUSTED_DOCUMENTS. */
export async function loadManifest(path: string, schema: GraphQLSchema): Promise<TrustedDocuments> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      VARIABLE,
      code === "ENOENT" ? `names no file: ${path}` : `cannot be read (${path}): ${(error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(VARIABLE, `is not JSON (${path}): ${(error as Error).message}`);
  }
  return parseManifest(json, schema, path);
}

/**
 * Checks a parsed manifest: every id names one document that parses and validates against the schema, and
 * an id shaped like a SHA-256 hash is the hash of its document (what relay-compiler with `SHA256`, Apollo's
 * generator and APQ clients compute), so a document edited after it was hashed is caught at start.
 */
export function parseManifest(json: unknown, schema: GraphQLSchema, path = "manifest"): TrustedDocuments {
  const fail = (message: string) => new ConfigError(VARIABLE, `${message} (${path})`);
  const { format, entries } = readEntries(json, fail);
  if (entries.length === 0) throw fail("holds no documents");

  const byId = new Map<string, string>();
  const byText = new Map<string, string>();
  for (const [id, text] of entries) {
    if (id.length === 0 || id.length > 256 || /\s/.test(id))
      throw fail(`has an id that is empty, longer than 256 characters or has spaces: "${id.slice(0, 80)}"`);
    const earlier = byId.get(id);
    if (earlier !== undefined && earlier !== text) throw fail(`has two different documents for the id ${id}`);
    if (SHA256_HEX.test(id) && sha256(text) !== id.toLowerCase())
      throw fail(`has a document that is not the one its SHA-256 id ${id} was computed from`);
    checkDocument(id, text, schema, fail);
    byId.set(id, text);
    if (!byText.has(text)) byText.set(text, id);
  }
  return {
    format,
    size: byId.size,
    get: (id) => byId.get(id),
    idOf: (text) => byText.get(text),
  };
}

function readEntries(
  json: unknown,
  fail: (message: string) => ConfigError,
): { format: ManifestFormat; entries: [string, string][] } {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw fail("must be a JSON object (hash → document, or an Apollo persisted query manifest)");
  const object = json as Record<string, unknown>;
  if ("format" in object || "operations" in object) {
    if (object.format !== APOLLO_FORMAT)
      throw fail(`has an unknown format ${JSON.stringify(object.format)} (expected "${APOLLO_FORMAT}")`);
    if (object.version !== 1)
      throw fail(
        `is an Apollo manifest of version ${JSON.stringify(object.version)}; only version 1 is read`,
      );
    if (!Array.isArray(object.operations)) throw fail("is an Apollo manifest without an operations array");
    const entries = object.operations.map((op: unknown, i): [string, string] => {
      const { id, body } = (op ?? {}) as { id?: unknown; body?: unknown };
      if (typeof id !== "string" || typeof body !== "string")
        throw fail(`has an operation (index ${i}) without a string id and body`);
      return [id, body];
    });
    return { format: "apollo", entries };
  }
  const entries = Object.entries(object).map(([id, text]): [string, string] => {
    if (typeof text !== "string") throw fail(`maps ${id} to a ${typeof text}, not a document`);
    return [id, text];
  });
  return { format: "hash-map", entries };
}

function checkDocument(
  id: string,
  text: string,
  schema: GraphQLSchema,
  fail: (message: string) => ConfigError,
): void {
  let document: ReturnType<typeof parse>;
  try {
    document = parse(text);
  } catch (error) {
    throw fail(`has a document that does not parse, id ${id}: ${(error as GraphQLError).message}`);
  }
  const errors = validate(schema, document);
  // A manifest built against another schema (or an older one) would fail on every request: say so now.
  if (errors.length > 0)
    throw fail(`has a document that does not validate against the schema, id ${id}: ${errors[0]?.message}`);
  if (!document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION))
    throw fail(`has a document with no operation, id ${id}`);
}

/** Hex SHA-256 of a document's text, as relay-compiler, Apollo's manifest generator and APQ clients compute it. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
