import type { ServiceModel, ShapeDef } from "./types.ts";

/** One broken constraint: where (`name`, `tags.key`, `arns[3]`) and what, in the service's wording. */
export interface Violation {
  path: string;
  message: string;
}

/**
 * Checks a value against a model shape's constraints (required members, lengths, patterns, enums,
 * ranges, list and map sizes). Unknown members are ignored, as the service ignores them. Shared by the
 * emulator (which answers ValidationException) and the gateway (which checks before calling IVS).
 */
export function checkShape(model: ServiceModel, shapeName: string, value: unknown): Violation[] {
  // A name the model does not hold (a typo, a renamed shape) would check nothing and pass everything.
  if (!model.shapes[shapeName]) throw new Error(`checkShape: the model has no shape "${shapeName}"`);
  const out: Violation[] = [];
  check(model, shapeName, value, "", out);
  return out;
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    // Tag patterns use \p{...} classes, which need the unicode flag.
    re = new RegExp(pattern, "u");
    regexCache.set(pattern, re);
  }
  return re;
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

function fail(
  out: Violation[],
  path: string,
  value: unknown,
  constraint: string,
  sensitive?: boolean,
): undefined {
  const shown = sensitive ? "***" : describe(value);
  const at = path || "body";
  out.push({
    path: at,
    message: `Value '${shown}' at '${at}' failed to satisfy constraint: Member ${constraint}`,
  });
  return undefined;
}

function check(model: ServiceModel, name: string, value: unknown, path: string, out: Violation[]): undefined {
  const shape = model.shapes[name];
  if (!shape)
    throw new Error(`checkShape: the model has no shape "${name}" (referenced at ${path || "body"})`);
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case "structure":
      return checkStructure(model, shape, value, path, out);
    case "list":
      if (!Array.isArray(value)) return fail(out, path, value, "must be a list");
      checkSize(shape, value.length, path, value, out);
      value.forEach((item, i) => {
        if (shape.member) check(model, shape.member, item, `${path}[${i}]`, out);
      });
      return;
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) return fail(out, path, value, "must be a map");
      const entries = Object.entries(value as Record<string, unknown>);
      checkSize(shape, entries.length, path, value, out);
      for (const [k, v] of entries) {
        if (shape.key) check(model, shape.key, k, `${path}.key`, out);
        if (shape.value) check(model, shape.value, v, `${path}.${k}`, out);
      }
      return;
    }
    case "string":
      if (typeof value !== "string") return fail(out, path, value, "must be a string");
      if (shape.enum && !shape.enum.includes(value))
        return fail(out, path, value, `must satisfy enum value set: [${shape.enum.join(", ")}]`);
      checkSize(shape, [...value].length, path, value, out, shape.sensitive);
      if (shape.pattern && !regex(shape.pattern).test(value))
        fail(out, path, value, `must satisfy regular expression pattern: ${shape.pattern}`, shape.sensitive);
      return;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value))
        return fail(out, path, value, "must be an integer");
      if (shape.min !== undefined && value < shape.min)
        return fail(out, path, value, `must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        fail(out, path, value, `must have value less than or equal to ${shape.max}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(out, path, value, "must be a boolean");
      return;
    default:
      return;
  }
}

function checkStructure(
  model: ServiceModel,
  shape: ShapeDef,
  value: unknown,
  path: string,
  out: Violation[],
): undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail(out, path, value, "must be a structure");
  const record = value as Record<string, unknown>;
  for (const req of shape.required ?? []) {
    const at = join(path, req);
    if (record[req] === undefined || record[req] === null)
      out.push({
        path: at,
        message: `Value null at '${at}' failed to satisfy constraint: Member must not be null`,
      });
  }
  for (const [member, def] of Object.entries(shape.members ?? {})) {
    check(model, def.shape, record[member], join(path, member), out);
  }
  return undefined;
}

function checkSize(
  shape: ShapeDef,
  size: number,
  path: string,
  value: unknown,
  out: Violation[],
  sensitive?: boolean,
) {
  if (shape.min !== undefined && size < shape.min)
    fail(out, path, value, `must have length greater than or equal to ${shape.min}`, sensitive);
  else if (shape.max !== undefined && size > shape.max)
    fail(out, path, value, `must have length less than or equal to ${shape.max}`, sensitive);
}

const join = (path: string, member: string) => (path ? `${path}.${member}` : member);
