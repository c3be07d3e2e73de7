import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
// The CommonJS file on purpose: Pothos loads graphql's CommonJS build, and under Vitest a bare "graphql"
// import resolves to the .mjs build, a second copy whose instanceof checks reject Pothos' types.
import { printSchema } from "graphql/utilities/printSchema.js";
import { schema } from "../src/schema/index.ts";

/** Where the committed SDL lives: schema.graphql at the repository root. */
export const SCHEMA_FILE = fileURLToPath(new URL("../schema.graphql", import.meta.url));

/** The SDL exactly as `npm run schema` writes it. */
export function printGatewaySchema(): string {
  return `${printSchema(schema)}\n`;
}

// Run as a script (npm run schema), not when a test imports printGatewaySchema.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(SCHEMA_FILE, printGatewaySchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
