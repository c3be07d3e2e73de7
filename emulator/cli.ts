import { parseArgs } from "node:util";
import type { EmulatorOptions } from "./index.ts";

/** Every knob of the standalone emulator: flag, environment variable, and what it sets. */
export const KNOBS = [
  {
    flag: "host",
    env: "IVS_EMULATOR_HOST",
    kind: "string",
    help: "interface to listen on (default 127.0.0.1)",
  },
  { flag: "port", env: "IVS_EMULATOR_PORT", kind: "int", help: "port (default 4566; 0 = any free port)" },
  {
    flag: "region",
    env: "IVS_EMULATOR_REGION",
    kind: "string",
    help: "region in ARNs and events (default us-west-2)",
  },
  {
    flag: "account",
    env: "IVS_EMULATOR_ACCOUNT",
    kind: "string",
    help: "12-digit account id (default 123456789012)",
  },
  {
    flag: "state-file",
    env: "IVS_EMULATOR_STATE_FILE",
    kind: "string",
    help: "keep resources in this JSON file across restarts",
  },
  {
    flag: "quotas",
    env: "IVS_EMULATOR_QUOTAS",
    kind: "bool",
    help: "enforce request-rate quotas (default true)",
  },
  {
    flag: "quota-scale",
    env: "IVS_EMULATOR_QUOTA_SCALE",
    kind: "float",
    help: "multiply every rate quota (default 1)",
  },
  {
    flag: "error-rate",
    env: "IVS_EMULATOR_ERROR_RATE",
    kind: "float",
    help: "share of requests answered 500/503 (default 0)",
  },
  {
    flag: "throttle-rate",
    env: "IVS_EMULATOR_THROTTLE_RATE",
    kind: "float",
    help: "extra share answered 429 (default 0)",
  },
  {
    flag: "latency-ms",
    env: "IVS_EMULATOR_LATENCY_MS",
    kind: "int",
    help: "added latency per request (default 0)",
  },
  {
    flag: "latency-jitter-ms",
    env: "IVS_EMULATOR_LATENCY_JITTER_MS",
    kind: "int",
    help: "extra random latency (default 0)",
  },
  {
    flag: "recording-activation-ms",
    env: "IVS_EMULATOR_RECORDING_ACTIVATION_MS",
    kind: "int",
    help: "CREATING → ACTIVE delay of recording configurations (default 1000)",
  },
  {
    flag: "seed",
    env: "IVS_EMULATOR_SEED",
    kind: "int",
    help: "seed for fault draws, for reproducible runs",
  },
] as const;

type Knob = (typeof KNOBS)[number];

export class CliError extends Error {}

function parseValue(knob: Knob, raw: string, source: string): string | number | boolean {
  switch (knob.kind) {
    case "string":
      return raw;
    case "bool":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new CliError(`${source} must be true or false, got "${raw}"`);
    case "int": {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0)
        throw new CliError(`${source} must be a whole number ≥ 0, got "${raw}"`);
      return n;
    }
    case "float": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || n < 0)
        throw new CliError(`${source} must be a number ≥ 0, got "${raw}"`);
      return n;
    }
  }
}

/** Reads flags (which win) and environment variables into emulator options. */
export function optionsFromCli(
  argv: string[],
  env: Record<string, string | undefined>,
): EmulatorOptions & { help?: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      "no-quotas": { type: "boolean" },
      ...Object.fromEntries(KNOBS.map((k) => [k.flag, { type: "string" as const }])),
    },
    strict: true,
    allowPositionals: false,
  });
  const got: Record<string, string | number | boolean> = {};
  for (const knob of KNOBS) {
    const flag = values[knob.flag as keyof typeof values];
    if (typeof flag === "string") got[knob.flag] = parseValue(knob, flag, `--${knob.flag}`);
    else if (env[knob.env] !== undefined && env[knob.env] !== "")
      got[knob.flag] = parseValue(knob, env[knob.env] as string, knob.env);
  }
  if (values["no-quotas"]) got.quotas = false;
  for (const rate of ["error-rate", "throttle-rate"]) {
    const v = got[rate];
    if (typeof v === "number" && v > 1) throw new CliError(`--${rate} must be between 0 and 1`);
  }
  const faults: EmulatorOptions["faults"] = {};
  if (got["error-rate"] !== undefined) faults.errorRate = got["error-rate"] as number;
  if (got["throttle-rate"] !== undefined) faults.throttleRate = got["throttle-rate"] as number;
  if (got["latency-ms"] !== undefined) faults.latencyMs = got["latency-ms"] as number;
  if (got["latency-jitter-ms"] !== undefined) faults.latencyJitterMs = got["latency-jitter-ms"] as number;
  const quotas: EmulatorOptions["quotas"] = {};
  if (got.quotas !== undefined) quotas.enabled = got.quotas as boolean;
  if (got["quota-scale"] !== undefined) quotas.scale = got["quota-scale"] as number;
  const options: EmulatorOptions & { help?: boolean } = { faults, quotas };
  if (values.help) options.help = true;
  if (got.host !== undefined) options.host = got.host as string;
  if (got.port !== undefined) options.port = got.port as number;
  if (got.region !== undefined) options.region = got.region as string;
  if (got.account !== undefined) options.account = got.account as string;
  if (got["state-file"] !== undefined) options.stateFile = got["state-file"] as string;
  if (got["recording-activation-ms"] !== undefined)
    options.recordingActivationMs = got["recording-activation-ms"] as number;
  if (got.seed !== undefined) options.seed = got.seed as number;
  return options;
}

export function usage(): string {
  const rows = KNOBS.map((k) => `  --${k.flag.padEnd(26)} ${k.env.padEnd(38)} ${k.help}`);
  return [
    "Usage: npm run emulator -- [options]",
    "",
    "A local Amazon IVS (low-latency, 2020-07-14) for the AWS SDK and CLI.",
    "",
    `  ${"flag".padEnd(28)} ${"environment".padEnd(38)} meaning`,
    ...rows,
    `  --${"no-quotas".padEnd(26)} ${"".padEnd(38)} same as --quotas false`,
    "",
  ].join("\n");
}
