import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KNOBS } from "../emulator/cli.ts";
import { MODEL } from "../model/ivs-model.generated.ts";
import { CONFIG_VARIABLES, readmeRow } from "../src/config/variables.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README stays in step with the code", () => {
  it("documents every configuration variable", () => {
    const missing = CONFIG_VARIABLES.map((v) => v.name).filter((name) => !readme.includes(`| ${name} |`));
    expect(missing).toEqual([]);
  });

  it("shows each variable as the table has it: default, range and meaning (src/config/variables.ts)", () => {
    const shown = (name: string) => new RegExp(`^\\| ${name} \\|.*$`, "m").exec(readme)?.[0];
    const differ = CONFIG_VARIABLES.filter((v) => shown(v.name) !== readmeRow(v)).map(readmeRow);
    // The rows README should hold, to paste in its place.
    expect(differ).toEqual([]);
  });

  it("documents every emulator flag and its environment variable", () => {
    const missing = KNOBS.filter((k) => !readme.includes(`\`--${k.flag}\``) || !readme.includes(k.env));
    expect(missing.map((k) => k.flag)).toEqual([]);
  });

  it("maps every IVS operation to the schema", () => {
    const table = readme.slice(readme.indexOf("## How IVS operations map to the schema"));
    const missing = Object.keys(MODEL.operations).filter(
      (op) => !new RegExp(`^\\| [^|]*\\b${op}\\b`, "m").test(table),
    );
    expect(missing).toEqual([]);
  });

  it("shows the set-up, run and test commands", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});
