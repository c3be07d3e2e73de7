import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
// The CommonJS file on purpose: Pothos loads graphql's CommonJS build, and under Vitest a bare "graphql"
// import resolves to the .mjs build, a second copy whose instanceof checks reject Pothos' types.
import { lexicographicSortSchema } from "graphql/utilities/lexicographicSortSchema.js";
import { printSchema } from "graphql/utilities/printSchema.js";
import { schema } from "../src/schema/index.ts";

/** Where the committed SDL lives: schema.graphql at the repository root. */
export const SCHEMA_FILE = fileURLToPath(new URL("../schema.graphql", import.meta.url));

/**
 * The SDL exactly as `npm run schema` writes it, types and fields in name order: the builder registers types
 * in the order their modules were first imported, which depends on who imported first (a test file sharing
 * its module graph with others, a reordered import), and the committed file should change only when the
 * schema does.
 */
export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

// Run as a script (npm run schema), not when a test imports printGatewaySchema.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(SCHEMA_FILE, printGatewaySchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
