import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { ConfigError, type Env } from "../../src/config/primitives.ts";
import { CONFIG_VARIABLES, type Variable } from "../../src/config/variables.ts";

// The parsers take defaults and ranges from the table in src/config/variables.ts (intVar, boolVar, numberVar,
// textVar). These tests hold each row to what loadConfig does, so a row cannot say one thing while the code
// does another: a default written as a value must be the one used, a range the one enforced.

// Secrets the loader would otherwise generate afresh on every call, so two loads can be compared.
const BASE: Env = { EVENTS_API_KEY: "k".repeat(24) };
const load = (env: Env) => loadConfig({ ...BASE, ...env });
const rows: readonly Variable[] = CONFIG_VARIABLES;

/** Rows whose default is a value (not a sentence about other settings): setting it must change nothing. */
const valued = rows.filter(
  (v) => v.kind !== "custom" && (typeof v.default !== "string" || v.kind === "text") && !(v.name in BASE),
);
const ranged = rows.flatMap((v) => ("min" in v ? [v] : []));

const rejection = (env: Env): string | undefined => {
  try {
    loadConfig({ ...BASE, ...env });
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.variable;
    throw error;
  }
};

describe("the variables table (src/config/variables.ts)", () => {
  it("has defaults and ranges to check (the checks below are not vacuous)", () => {
    expect(valued.length).toBeGreaterThan(40);
    expect(ranged.length).toBeGreaterThanOrEqual(29);
  });

  it.each(valued)("$name: setting the table's default $default changes nothing", (v) => {
    expect(load({ [v.name]: String(v.default) })).toEqual(load({}));
  });

  it.each(ranged)("$name: accepts $min and $max, refuses just outside them", ({ name, min, max, kind }) => {
    const step = kind === "int" ? 1 : 0.01;
    expect(rejection({ [name]: String(min) })).toBeUndefined();
    expect(rejection({ [name]: String(max) })).toBeUndefined();
    expect(rejection({ [name]: String(max + step) })).toBe(name);
    if (min - step >= 0) expect(rejection({ [name]: String(min - step) })).toBe(name);
  });

  it("is the only place defaults and ranges are written: no parser passes its own", () => {
    // A call such as intVar("PORT", raw, 4000) would not compile (the overloads take a fallback only for rows
    // whose default is a sentence); the old helpers that took literals must not come back beside them.
    for (const file of ["src/config/gateway.ts", "src/auth/config.ts", "src/ivs/config.ts"]) {
      const source = readFileSync(file, "utf8");
      expect(source, file).not.toMatch(/\b(int|bool|fraction)\(\s*"[A-Z_]+"/);
      // Nor a default written after the read: `raw.x ?? "word"`, `read("X") ?? 10`.
      expect(source, file).not.toMatch(/(read\("[A-Z_]+"\)|raw\.\w+) \?\? ("[^"]|\d)/);
    }
  });
});
