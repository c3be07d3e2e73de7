import { describe, expect, it } from "vitest";
import { CliError, KNOBS, optionsFromCli, usage } from "../../emulator/cli.ts";

describe("emulator command line", () => {
  it("uses flags over environment variables", () => {
    const o = optionsFromCli(["--port", "5000", "--quota-scale", "2"], {
      IVS_EMULATOR_PORT: "6000",
      IVS_EMULATOR_REGION: "eu-west-1",
    });
    expect(o.port).toBe(5000);
    expect(o.region).toBe("eu-west-1");
    expect(o.quotas).toEqual({ scale: 2 });
  });

  it("reads every knob from the environment", () => {
    const o = optionsFromCli([], {
      IVS_EMULATOR_HOST: "0.0.0.0",
      IVS_EMULATOR_ACCOUNT: "111122223333",
      IVS_EMULATOR_STATE_FILE: "/tmp/x.json",
      IVS_EMULATOR_QUOTAS: "off",
      IVS_EMULATOR_ERROR_RATE: "0.1",
      IVS_EMULATOR_THROTTLE_RATE: "0.2",
      IVS_EMULATOR_LATENCY_MS: "30",
      IVS_EMULATOR_LATENCY_JITTER_MS: "5",
      IVS_EMULATOR_RECORDING_ACTIVATION_MS: "0",
      IVS_EMULATOR_SEED: "9",
    });
    expect(o).toMatchObject({
      host: "0.0.0.0",
      account: "111122223333",
      stateFile: "/tmp/x.json",
      quotas: { enabled: false },
      faults: { errorRate: 0.1, throttleRate: 0.2, latencyMs: 30, latencyJitterMs: 5 },
      recordingActivationMs: 0,
      seed: 9,
    });
  });

  it("configures event delivery, its faults and the simulator", () => {
    const o = optionsFromCli(
      [
        "--event-target",
        "http://127.0.0.1:4000/events",
        "--event-api-key",
        "k",
        "--event-drop-rate",
        "0.3",
        "--event-reorder-window-ms",
        "200",
        "--event-retry-attempts",
        "3",
        "--recording-end-delay-scale",
        "0",
        "--max-channels",
        "10",
      ],
      { IVS_EMULATOR_EVENT_DUPLICATE_RATE: "0.1", IVS_EMULATOR_EVENT_DELAY_MS: "50" },
    );
    expect(o.events).toEqual({
      targets: [{ url: "http://127.0.0.1:4000/events", apiKey: "k" }],
      faults: { dropRate: 0.3, duplicateRate: 0.1, delayMs: 50, reorderWindowMs: 200 },
      retry: { attempts: 3 },
    });
    expect(o.broadcasts).toEqual({ recordingEndDelayScale: 0 });
    expect(o.limits).toEqual({ channels: 10 });
    expect(() => optionsFromCli(["--event-api-key", "k"], {})).toThrow(/needs --event-target/);
    expect(() => optionsFromCli(["--event-target", "nope"], {})).toThrow(/must be a URL/);
    expect(() => optionsFromCli(["--event-drop-rate", "2"], {})).toThrow(/--event-drop-rate/);
  });

  it("names the bad flag or variable", () => {
    expect(() => optionsFromCli(["--port", "http"], {})).toThrow(/--port must be a whole number/);
    expect(() => optionsFromCli([], { IVS_EMULATOR_QUOTAS: "maybe" })).toThrow(CliError);
    expect(() => optionsFromCli([], { IVS_EMULATOR_QUOTAS: "maybe" })).toThrow(/IVS_EMULATOR_QUOTAS/);
    expect(() => optionsFromCli(["--error-rate", "1.5"], {})).toThrow(/--error-rate/);
    expect(() => optionsFromCli(["--bogus"], {})).toThrow();
  });

  it("lists every knob in --help", () => {
    const text = usage();
    for (const k of KNOBS) {
      expect(text).toContain(`--${k.flag}`);
      expect(text).toContain(k.env);
    }
  });
});
