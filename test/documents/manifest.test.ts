import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { ConfigError } from "../../src/config/primitives.ts";
import { loadManifest, parseManifest, sha256 } from "../../src/documents/manifest.ts";
import { schema } from "../../src/schema/index.ts";
import { buildGateway } from "../../src/server.ts";
import { apolloManifest, DOCUMENTS, IDS, tempDir } from "./gateway.ts";

const temp = tempDir();
afterAll(() => temp.dispose());

/** The ConfigError a manifest (an object, or raw file text) is refused with. */
async function refusal(content: unknown): Promise<ConfigError> {
  const error = await loadManifest(temp.write(`m-${Math.random()}.json`, content), schema).catch((e) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe("TRUSTED_DOCUMENTS");
  return error as ConfigError;
}

describe("manifest formats", () => {
  it("reads relay-compiler's persistConfig file and Codegen's persisted-documents.json (hash → document)", async () => {
    // Codegen's client preset hashes with SHA-1 by default: ids of other shapes are taken as they are.
    const codegenId = "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0";
    const docs = await loadManifest(
      temp.write("hash-map.json", { [IDS.channels]: DOCUMENTS.channels, [codegenId]: DOCUMENTS.live }),
      schema,
    );
    expect(docs.format).toBe("hash-map");
    expect(docs.size).toBe(2);
    expect(docs.get(IDS.channels)).toBe(DOCUMENTS.channels);
    expect(docs.get(codegenId)).toBe(DOCUMENTS.live);
    expect(docs.idOf(DOCUMENTS.live)).toBe(codegenId);
    expect(docs.get("nope")).toBeUndefined();
  });

  it("reads Apollo's persisted-query-manifest.json", async () => {
    const docs = await loadManifest(temp.write("apollo.json", apolloManifest()), schema);
    expect(docs.format).toBe("apollo");
    expect(docs.size).toBe(2);
    expect(docs.get(IDS.live)).toBe(DOCUMENTS.live);
    expect(docs.idOf(DOCUMENTS.channels)).toBe(IDS.channels);
  });
});

describe("a bad manifest is refused, naming TRUSTED_DOCUMENTS", () => {
  it("a missing file", async () => {
    const error = await loadManifest(`${temp.dir}/absent.json`, schema).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^TRUSTED_DOCUMENTS names no file: .*absent\.json/);
  });

  it("a file that is not JSON, or not an object", async () => {
    expect((await refusal("{ not json")).message).toMatch(/is not JSON/);
    expect((await refusal([DOCUMENTS.channels])).message).toMatch(/must be a JSON object/);
    expect((await refusal({})).message).toMatch(/holds no documents/);
    expect((await refusal({ abc: 42 })).message).toMatch(/maps abc to a number/);
  });

  it("an Apollo manifest of another format or version", async () => {
    expect((await refusal({ ...apolloManifest(), format: "other" })).message).toMatch(
      /unknown format "other"/,
    );
    expect((await refusal({ ...apolloManifest(), version: 2 })).message).toMatch(/version 2/);
    expect((await refusal({ ...apolloManifest(), operations: [{ id: "x" }] })).message).toMatch(
      /index 0\) without a string id and body/,
    );
  });

  it("a document that does not parse, naming its id", async () => {
    const error = await refusal({ broken: "query { channels(" });
    expect(error.message).toMatch(/does not parse, id broken: Syntax Error/);
  });

  it("a document the schema refuses (a stale manifest), naming its id", async () => {
    const error = await refusal({ stale: "query Old { channels { edges { node { nameThatIsGone } } } }" });
    expect(error.message).toMatch(/does not validate against the schema, id stale: .*nameThatIsGone/);
  });

  it("a document edited after its SHA-256 id was computed", async () => {
    const error = await refusal({ [IDS.channels]: DOCUMENTS.channels.replace("arn", "id") });
    expect(error.message).toContain(`not the one its SHA-256 id ${IDS.channels} was computed from`);
  });

  it("two documents under one id", async () => {
    const manifest = apolloManifest();
    manifest.operations.push({ ...manifest.operations[1], id: IDS.channels } as never);
    expect((await refusal(manifest)).message).toContain(`two different documents for the id ${IDS.channels}`);
  });

  it("checks in memory too (parseManifest) and hashes like relay-compiler", () => {
    expect(sha256("query { __typename }")).toMatch(/^[0-9a-f]{64}$/);
    expect(() => parseManifest({ a: "fragment F on Channel { name }" }, schema)).toThrow(ConfigError);
  });
});

describe("the gateway's start", () => {
  it("fails with the ConfigError when the manifest is bad, and listens on nothing", async () => {
    const path = temp.write("bad-start.json", { [IDS.channels]: "query { nope }" });
    const gateway = buildGateway(
      loadConfig({ PORT: "0", EMULATOR_PORT: "0", LOG_LEVEL: "silent", TRUSTED_DOCUMENTS: path }),
    );
    const error = await gateway.start().catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^TRUSTED_DOCUMENTS /);
    expect(() => gateway.url).toThrow(/not started/);
    expect(gateway.emulatorUrl).toBeUndefined();
  });

  it("TRUSTED_DOCUMENTS_ONLY without a manifest is refused by loadConfig", () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_ONLY: "true" })).toThrow(/TRUSTED_DOCUMENTS_ONLY needs/);
  });
});
