import type { GraphQLSchema } from "graphql";
import type { GatewayConfig } from "../config/gateway.ts";
import type { Logger } from "../logger.ts";
import { loadManifest } from "./manifest.ts";
import type { TrustedDocumentsOptions } from "./plugin.ts";

export type { TrustedDocuments } from "./manifest.ts";
export type { TrustedDocumentsOptions } from "./plugin.ts";

/**
 * Loads the TRUSTED_DOCUMENTS manifest when one is configured (undefined when not), checked against the
 * schema; a bad manifest is a ConfigError naming the variable, so the gateway does not start.
 */
export async function loadTrustedDocuments(
  config: Pick<GatewayConfig, "documents" | "development">,
  schema: GraphQLSchema,
  logger: Logger,
): Promise<TrustedDocumentsOptions | undefined> {
  const { manifestPath, only } = config.documents;
  if (manifestPath === undefined) return undefined;
  const documents = await loadManifest(manifestPath, schema);
  logger.info(
    { path: manifestPath, format: documents.format, documents: documents.size, only },
    "trusted documents loaded",
  );
  // Their own documents (introspection, the live page's list and subscription) are not in an app's manifest.
  if (only && (config.development.graphiql || config.development.livePage))
    logger.warn(
      "TRUSTED_DOCUMENTS_ONLY refuses the documents of GraphiQL and the live page; set GRAPHIQL=false and LIVE_PAGE=false",
    );
  return { documents, only };
}
