/**
 * What every configuration parser builds on: the environment's type, the error naming a variable, and the
 * readers that take a variable's default and range from the table (variables.ts). It imports only the
 * table, so src/auth/config.ts and src/ivs/config.ts use it without a circle through gateway.ts.
 */

import { CONFIG_VARIABLES, type Variable } from "./variables.ts";

export type Env = Record<string, string | undefined>;

/** A bad or inconsistent variable; the message starts with the variable's name. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
  }
}

type Row = (typeof CONFIG_VARIABLES)[number];
/** Names of the variables of one kind whose table default is a value (`D` number/boolean) or a sentence (string). */
type Named<K extends Row["kind"], D> = Extract<Row, { kind: K; default: D }>["name"];

const ROWS = new Map<string, Variable>(CONFIG_VARIABLES.map((v) => [v.name, v]));

function row<K extends Variable["kind"]>(name: string, kind: K): Extract<Variable, { kind: K }> {
  const variable = ROWS.get(name);
  if (variable?.kind !== kind)
    throw new Error(`${name} is not a ${kind} variable of the table (variables.ts)`);
  return variable as Extract<Variable, { kind: K }>;
}

/**
 * A whole number in the table's range: the table's default when unset, or `fallback` for a variable whose
 * default depends on other settings (its table default is a sentence).
 */
export function intVar(name: Named<"int", number>, raw: string | undefined): number;
export function intVar(name: Named<"int", string>, raw: string | undefined, fallback: number): number;
export function intVar(name: string, raw: string | undefined, fallback?: number): number {
  const { min, max, default: given } = row(name, "int");
  if (raw === undefined) return typeof given === "number" ? given : (fallback as number);
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** A decimal number in the table's range, the table's default when unset. */
export function numberVar(name: Named<"number", number>, raw: string | undefined): number {
  const { min, max, default: given } = row(name, "number");
  if (raw === undefined) return given;
  const n = /^[0-9]*\.?[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new ConfigError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** true/false (also 1/0, yes/no, on/off): the table's default when unset, or `fallback` as for intVar. */
export function boolVar(name: Named<"bool", boolean>, raw: string | undefined): boolean;
export function boolVar(name: Named<"bool", string>, raw: string | undefined, fallback: boolean): boolean;
export function boolVar(name: string, raw: string | undefined, fallback?: boolean): boolean {
  const given = row(name, "bool").default;
  if (raw === undefined) return typeof given === "boolean" ? given : (fallback as boolean);
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** The table's default of a whole-number variable, for code that runs without a configuration (tests, tools). */
export function intDefault(name: Named<"int", number>): number {
  return intVar(name, undefined);
}

/** The value as set, or the table's default; its own parser checks the form. */
export function textVar(name: Named<"text", string>, raw: string | undefined): string {
  return raw ?? row(name, "text").default;
}

/** Hides the password of a URL, for logs. */
export function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = "***";
  return url.href;
}
