import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("checkShape", () => {
  it("throws on a shape the model does not hold instead of passing everything", () => {
    expect(() => checkShape(MODEL, "GetChanelRequest", { arn: "x" })).toThrow(
      'checkShape: the model has no shape "GetChanelRequest"',
    );
    // The name it meant still checks.
    expect(checkShape(MODEL, "GetChannelRequest", { arn: "x" })).not.toEqual([]);
  });

  it("throws on a member whose shape is missing from the model", () => {
    const broken = {
      ...MODEL,
      shapes: { Outer: { type: "structure", members: { inner: { shape: "Gone" } } } },
    } as unknown as typeof MODEL;
    expect(() => checkShape(broken, "Outer", { inner: "x" })).toThrow(
      'no shape "Gone" (referenced at inner)',
    );
  });

  it("is reached from src only through helpers typed by ShapeName, so the compiler checks every name", () => {
    // src/ivs/validate.ts (violations, validateIvsInput) takes a ShapeName, the union generated with the
    // model; a checkShape(MODEL, "…") elsewhere would take any string again.
    const untyped = sources("src").filter(
      (file) => !file.endsWith("src/ivs/validate.ts") && /checkShape\(/.test(readFileSync(file, "utf8")),
    );
    expect(untyped).toEqual([]);
    const typed = readFileSync("src/ivs/validate.ts", "utf8");
    expect(typed).toMatch(/violations\(shape: ShapeName/);
  });

  it("holds every shape its operations and members refer to", () => {
    const missing: string[] = [];
    const need = (name: string | undefined, where: string) => {
      if (name !== undefined && !MODEL.shapes[name]) missing.push(`${where} → ${name}`);
    };
    for (const [op, def] of Object.entries(MODEL.operations)) {
      need(def.input, `${op}.input`);
      need(def.output, `${op}.output`);
      for (const e of def.errors) need(e, `${op}.errors`);
    }
    for (const [name, shape] of Object.entries(MODEL.shapes)) {
      need(shape.member, `${name}.member`);
      need(shape.key, `${name}.key`);
      need(shape.value, `${name}.value`);
      for (const [m, def] of Object.entries(shape.members ?? {})) need(def.shape, `${name}.${m}`);
    }
    expect(missing).toEqual([]);
  });
});
