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
  {
    flag: "event-target",
    env: "IVS_EMULATOR_EVENT_TARGET",
    kind: "string",
    help: "URL that receives every event (one POST each)",
  },
  {
    flag: "event-api-key-header",
    env: "IVS_EMULATOR_EVENT_API_KEY_HEADER",
    kind: "string",
    help: "header carrying the target's API key (default x-api-key)",
  },
  {
    flag: "event-api-key",
    env: "IVS_EMULATOR_EVENT_API_KEY",
    kind: "string",
    help: "API key sent to the event target",
  },
  {
    flag: "event-drop-rate",
    env: "IVS_EMULATOR_EVENT_DROP_RATE",
    kind: "float",
    help: "share of events never delivered (default 0)",
  },
  {
    flag: "event-duplicate-rate",
    env: "IVS_EMULATOR_EVENT_DUPLICATE_RATE",
    kind: "float",
    help: "share delivered twice (default 0)",
  },
  {
    flag: "event-delay-ms",
    env: "IVS_EMULATOR_EVENT_DELAY_MS",
    kind: "int",
    help: "random extra delay per event, up to this (default 0)",
  },
  {
    flag: "event-reorder-rate",
    env: "IVS_EMULATOR_EVENT_REORDER_RATE",
    kind: "float",
    help: "share held back behind the next event (default 0)",
  },
  {
    flag: "event-reorder-window-ms",
    env: "IVS_EMULATOR_EVENT_REORDER_WINDOW_MS",
    kind: "int",
    help: "longest hold for reordering (default 1000)",
  },
  {
    flag: "event-retry-attempts",
    env: "IVS_EMULATOR_EVENT_RETRY_ATTEMPTS",
    kind: "int",
    help: "delivery attempts per event (default 8)",
  },
  {
    flag: "cloudtrail-events",
    env: "IVS_EMULATOR_CLOUDTRAIL_EVENTS",
    kind: "bool",
    help: "emit AWS API Call via CloudTrail events for successful writes (default true)",
  },
  {
    flag: "recording-end-delay-scale",
    env: "IVS_EMULATOR_RECORDING_END_DELAY_SCALE",
    kind: "float",
    help: "multiplies the reconnect window before Recording End (default 1; 0 = at once)",
  },
  {
    flag: "demo-broadcasts",
    env: "IVS_EMULATOR_DEMO_BROADCASTS",
    kind: "bool",
    help: "start, starve and end broadcasts on every channel in a loop (20 s live, 10 s offline; default false)",
  },
  {
    flag: "max-channels",
    env: "IVS_EMULATOR_MAX_CHANNELS",
    kind: "int",
    help: "channel quota (default 5000)",
  },
  {
    flag: "max-concurrent-broadcasts",
    env: "IVS_EMULATOR_MAX_CONCURRENT_BROADCASTS",
    kind: "int",
    help: "concurrent broadcast quota (default 100)",
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
    args: withBareBooleans(argv),
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
  for (const rate of [
    "error-rate",
    "throttle-rate",
    "event-drop-rate",
    "event-duplicate-rate",
    "event-reorder-rate",
  ]) {
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
  const events = eventOptions(got);
  if (events) options.events = events;
  if (got["cloudtrail-events"] !== undefined) options.cloudTrailEvents = got["cloudtrail-events"] as boolean;
  if (got["recording-end-delay-scale"] !== undefined)
    options.broadcasts = { recordingEndDelayScale: got["recording-end-delay-scale"] as number };
  if (got["demo-broadcasts"] !== undefined) options.demoBroadcasts = got["demo-broadcasts"] as boolean;
  const limits: NonNullable<EmulatorOptions["limits"]> = {};
  if (got["max-channels"] !== undefined) limits.channels = got["max-channels"] as number;
  if (got["max-concurrent-broadcasts"] !== undefined)
    limits.concurrentBroadcasts = got["max-concurrent-broadcasts"] as number;
  if (Object.keys(limits).length > 0) options.limits = limits;
  return options;
}

/** A boolean flag with no value (`--demo-broadcasts` then another flag, or nothing) means true. */
function withBareBooleans(argv: string[]): string[] {
  const bools = new Set(KNOBS.filter((k) => k.kind === "bool").map((k) => `--${k.flag}`));
  return argv.flatMap((arg, i) => {
    const next = argv[i + 1];
    return bools.has(arg) && (next === undefined || next.startsWith("--")) ? [arg, "true"] : [arg];
  });
}

function eventOptions(got: Record<string, string | number | boolean>): EmulatorOptions["events"] {
  const events: NonNullable<EmulatorOptions["events"]> = {};
  const target = got["event-target"];
  if (typeof target === "string") {
    try {
      new URL(target);
    } catch {
      throw new CliError(`--event-target must be a URL, got "${target}"`);
    }
    events.targets = [
      {
        url: target,
        ...(typeof got["event-api-key"] === "string" ? { apiKey: got["event-api-key"] } : {}),
        ...(typeof got["event-api-key-header"] === "string"
          ? { apiKeyHeader: got["event-api-key-header"] }
          : {}),
      },
    ];
  } else if (got["event-api-key"] !== undefined) {
    throw new CliError("--event-api-key needs --event-target");
  }
  const faults: Record<string, number> = {};
  const map: [string, string][] = [
    ["event-drop-rate", "dropRate"],
    ["event-duplicate-rate", "duplicateRate"],
    ["event-delay-ms", "delayMs"],
    ["event-reorder-rate", "reorderRate"],
    ["event-reorder-window-ms", "reorderWindowMs"],
  ];
  for (const [flag, key] of map) if (got[flag] !== undefined) faults[key] = got[flag] as number;
  if (Object.keys(faults).length > 0) events.faults = faults;
  if (got["event-retry-attempts"] !== undefined) {
    const attempts = got["event-retry-attempts"] as number;
    if (attempts < 1) throw new CliError("--event-retry-attempts must be at least 1");
    events.retry = { attempts };
  }
  return Object.keys(events).length > 0 ? events : undefined;
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
    "A true/false flag given without a value means true (--demo-broadcasts).",
    "",
  ].join("\n");
}
