import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { ConfigError, type Env } from "../../src/config/primitives.ts";
import { CONFIG_VARIABLES } from "../../src/config/variables.ts";

// The table in src/config/variables.ts is what README shows. These tests hold each documented default and
// range to what loadConfig does, so a default changed in one place and not the other fails here.

// Secrets the loader would otherwise generate afresh on every call, so two loads can be compared.
const BASE: Env = { EVENTS_API_KEY: "k".repeat(24) };
const load = (env: Env) => loadConfig({ ...BASE, ...env });

/** A default written as one literal value (a number, true/false, a word), not a sentence. */
const LITERAL = /^(-?\d+(\.\d+)?|true|false|[a-z][\w:.-]*)$/;
const literalDefaults = CONFIG_VARIABLES.filter((v) => LITERAL.test(v.default) && !(v.name in BASE));

/** "(100–60000)" in a meaning: the range loadConfig accepts. */
const ranged = CONFIG_VARIABLES.flatMap((v) => {
  const m = /\((-?\d+(?:\.\d+)?)–(-?\d+(?:\.\d+)?)\)/.exec(v.meaning);
  return m ? [{ name: v.name, min: Number(m[1]), max: Number(m[2]) }] : [];
});

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
  it("has literal defaults and ranges to check (the parsing below is not vacuous)", () => {
    expect(literalDefaults.length).toBeGreaterThan(30);
    expect(ranged.length).toBeGreaterThanOrEqual(15);
  });

  it.each(literalDefaults)("$name: setting the documented default $default changes nothing", (v) => {
    expect(load({ [v.name]: v.default })).toEqual(load({}));
  });

  it.each(ranged)("$name: accepts $min and $max, refuses just outside them", ({ name, min, max }) => {
    const step = Number.isInteger(min) && Number.isInteger(max) ? 1 : 0.01;
    expect(rejection({ [name]: String(min) })).toBeUndefined();
    expect(rejection({ [name]: String(max) })).toBeUndefined();
    expect(rejection({ [name]: String(max + step) })).toBe(name);
    if (min - step >= 0) expect(rejection({ [name]: String(min - step) })).toBe(name);
  });
});
