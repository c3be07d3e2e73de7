import { validation } from "../errors.ts";
import type { ServiceModel, ShapeDef } from "../model/types.ts";

/**
 * Checks a decoded request against the model's constraints and throws a ValidationException in the
 * service's wording, naming the member at fault (e.g. `name`, `tags.key`, `arns[3]`).
 * Unknown members are ignored, as the service ignores them.
 */
export function validateInput(model: ServiceModel, shapeName: string, value: unknown): void {
  const errors: string[] = [];
  checkShape(model, shapeName, value, "", errors);
  if (errors.length > 0) {
    const n = errors.length;
    throw validation(`${n} validation error${n > 1 ? "s" : ""} detected: ${errors.join("; ")}`);
  }
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
  errors: string[],
  path: string,
  value: unknown,
  constraint: string,
  sensitive?: boolean,
): undefined {
  const shown = sensitive ? "***" : describe(value);
  errors.push(`Value '${shown}' at '${path || "body"}' failed to satisfy constraint: Member ${constraint}`);
  return undefined;
}

function checkShape(
  model: ServiceModel,
  name: string,
  value: unknown,
  path: string,
  errors: string[],
): undefined {
  const shape = model.shapes[name];
  if (!shape || value === undefined || value === null) return;
  switch (shape.type) {
    case "structure":
      return checkStructure(model, shape, value, path, errors);
    case "list":
      if (!Array.isArray(value)) return fail(errors, path, value, "must be a list");
      checkSize(shape, value.length, path, value, errors, "have length");
      value.forEach((item, i) => {
        if (shape.member) checkShape(model, shape.member, item, `${path}[${i}]`, errors);
      });
      return;
    case "map": {
      if (typeof value !== "object" || Array.isArray(value))
        return fail(errors, path, value, "must be a map");
      const entries = Object.entries(value as Record<string, unknown>);
      checkSize(shape, entries.length, path, value, errors, "have length");
      for (const [k, v] of entries) {
        if (shape.key) checkShape(model, shape.key, k, `${path}.key`, errors);
        if (shape.value) checkShape(model, shape.value, v, `${path}.${k}`, errors);
      }
      return;
    }
    case "string":
      if (typeof value !== "string") return fail(errors, path, value, "must be a string");
      if (shape.enum && !shape.enum.includes(value))
        return fail(errors, path, value, `must satisfy enum value set: [${shape.enum.join(", ")}]`);
      checkSize(shape, [...value].length, path, value, errors, "have length", shape.sensitive);
      if (shape.pattern && !regex(shape.pattern).test(value))
        fail(
          errors,
          path,
          value,
          `must satisfy regular expression pattern: ${shape.pattern}`,
          shape.sensitive,
        );
      return;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value))
        return fail(errors, path, value, "must be an integer");
      if (shape.min !== undefined && value < shape.min)
        return fail(errors, path, value, `must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        fail(errors, path, value, `must have value less than or equal to ${shape.max}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(errors, path, value, "must be a boolean");
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
  errors: string[],
): undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail(errors, path, value, "must be a structure");
  const record = value as Record<string, unknown>;
  for (const req of shape.required ?? []) {
    if (record[req] === undefined || record[req] === null)
      errors.push(`Value null at '${join(path, req)}' failed to satisfy constraint: Member must not be null`);
  }
  for (const [member, def] of Object.entries(shape.members ?? {})) {
    checkShape(model, def.shape, record[member], join(path, member), errors);
  }
  return undefined;
}

function checkSize(
  shape: ShapeDef,
  size: number,
  path: string,
  value: unknown,
  errors: string[],
  what: string,
  sensitive?: boolean,
): void {
  if (shape.min !== undefined && size < shape.min)
    fail(errors, path, value, `must ${what} greater than or equal to ${shape.min}`, sensitive);
  else if (shape.max !== undefined && size > shape.max)
    fail(errors, path, value, `must ${what} less than or equal to ${shape.max}`, sensitive);
}

const join = (path: string, member: string) => (path ? `${path}.${member}` : member);
