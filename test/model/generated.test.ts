import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type BotocoreModel, generateModel } from "../../scripts/generate-model.ts";

// The botocore model sits in ../shared beside the checkout (as in CI); the generated file is committed so
// the gateway and the emulator run without it.
const source = new URL("../../../shared/reference/ivs/ivs-2020-07-14.botocore.json", import.meta.url);
const committed = new URL("../../model/ivs-model.generated.ts", import.meta.url);

describe("model/ivs-model.generated.ts", () => {
  it("is what scripts/gen-model.ts makes of the botocore model (run `npm run gen:model` when this fails)", () => {
    expect(existsSync(source), `${source.pathname} is missing: ../shared must sit beside the checkout`).toBe(
      true,
    );
    const raw = JSON.parse(readFileSync(source, "utf8")) as BotocoreModel;
    expect(readFileSync(committed, "utf8")).toBe(generateModel(raw));
  });
});
