import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { ROOT, sourceFiles } from "./deploy-files.ts";

/**
 * The IAM policy in docs/deployment.md lists exactly the IVS actions the gateway's code can call, so the
 * document cannot drift from the code. src/demo/ is left out: it seeds the embedded emulator only
 * (SEED_DEMO_DATA is refused for any other backend), so it never calls IVS in AWS.
 */
function actionsInCode(): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  const add = (operation: string, file: string) =>
    actions.set(`ivs:${operation}`, [...(actions.get(`ivs:${operation}`) ?? []), file]);
  for (const path of sourceFiles(join(ROOT, "src"))) {
    const file = relative(ROOT, path).split("\\").join("/");
    if (file.startsWith("src/demo/")) continue;
    const text = readFileSync(path, "utf8");
    // Value imports from the IVS client: commands (XCommand → X) and paginators (paginateX → X).
    for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+["']@aws-sdk\/client-ivs["']/g)) {
      if (m[1]) continue;
      for (const raw of (m[2] ?? "").split(",")) {
        const name =
          raw
            .trim()
            .split(/\s+as\s+/)[0]
            ?.trim() ?? "";
        if (name.startsWith("type ")) continue;
        const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (op) add(op, file);
      }
    }
    // Whatever sends a command it did not import by name (a namespace import, say) is caught here.
    for (const m of text.matchAll(/\bnew\s+(\w+)Command\s*\(/g)) add(m[1] as string, file);
    for (const m of text.matchAll(/\bpaginate(\w+)\s*\(/g)) add(m[1] as string, file);
  }
  return actions;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

function policiesInGuide(): { Version: string; Statement: Statement[] }[] {
  const text = readFileSync(join(ROOT, "docs/deployment.md"), "utf8");
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => JSON.parse(m[1] as string) as { Version?: string; Statement?: Statement[] })
    .filter((doc): doc is { Version: string; Statement: Statement[] } => Array.isArray(doc.Statement));
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("the IAM policy in docs/deployment.md", () => {
  const code = actionsInCode();
  const policies = policiesInGuide();
  const policy = policies[0];

  it("is one policy document", () => {
    expect(policies).toHaveLength(1);
    expect(policy?.Version).toBe("2012-10-17");
    for (const s of policy?.Statement ?? []) expect(s.Effect).toBe("Allow");
  });

  it("lists exactly the IVS actions the code calls, no wildcard, nothing else", () => {
    const granted = (policy?.Statement ?? []).flatMap((s) => list(s.Action));
    expect(new Set(granted).size).toBe(granted.length);
    expect(granted.filter((a) => a.includes("*"))).toEqual([]);
    expect([...granted].sort()).toEqual([...code.keys()].sort());
    // The scan found the gateway's calls (a broken scan would make an empty policy pass).
    expect(code.size).toBeGreaterThan(30);
    for (const action of granted)
      expect(MODEL.operations, action).toHaveProperty(action.slice("ivs:".length));
  });

  it("keeps reads apart from writes, so a read-only gateway can drop the write statement", () => {
    const bySid = Object.fromEntries((policy?.Statement ?? []).map((s) => [s.Sid, list(s.Action)]));
    expect(Object.keys(bySid).sort()).toEqual(["IvsGatewayRead", "IvsGatewayWrite"]);
    for (const a of bySid.IvsGatewayRead ?? []) expect(a).toMatch(/^ivs:(Get|List|BatchGet)/);
    for (const a of bySid.IvsGatewayWrite ?? []) expect(a).not.toMatch(/^ivs:(Get|List|BatchGet)/);
  });

  it("names every action in the guide's table of what needs it", () => {
    const text = readFileSync(join(ROOT, "docs/deployment.md"), "utf8");
    const table = text.slice(text.indexOf("| Action"), text.indexOf("\n\n", text.indexOf("| Action")));
    for (const action of code.keys()) expect(table, action).toContain(`\`${action}\``);
  });
});
