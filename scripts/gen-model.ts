/**
 * Generates emulator/model/ivs-model.generated.ts from the botocore model in ../shared/reference/ivs,
 * keeping only what the emulator enforces (shapes, constraints, HTTP bindings) and dropping documentation,
 * so that a fresh clone runs and tests without ../shared.
 *
 * Usage: npm run gen:model [-- path/to/ivs-2020-07-14.botocore.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BotocoreModel, generateModel } from "./generate-model.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source =
  process.argv[2] ?? join(root, "..", "shared", "reference", "ivs", "ivs-2020-07-14.botocore.json");
const target = join(root, "model", "ivs-model.generated.ts");

const raw = JSON.parse(readFileSync(source, "utf8")) as BotocoreModel;
const body = generateModel(raw);
writeFileSync(target, body);

console.log(
  `wrote ${target}: ${Object.keys(raw.operations).length} operations, ${Object.keys(raw.shapes).length} shapes`,
);
