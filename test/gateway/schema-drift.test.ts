import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printGatewaySchema, SCHEMA_FILE } from "../../scripts/print-schema.ts";

describe("schema.graphql", () => {
  it("matches the schema built from the code (run `npm run schema` after changing src/schema)", () => {
    expect(existsSync(SCHEMA_FILE), "schema.graphql is missing: run `npm run schema`").toBe(true);
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    const live = printGatewaySchema();
    expect(committed, "schema.graphql is stale: run `npm run schema` and commit the result").toBe(live);
  });
});
