import { generateKeyPairSync } from "node:crypto";
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  ImportPlaybackKeyPairCommand,
  IvsClient,
} from "@aws-sdk/client-ivs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway } from "../../src/server.ts";
import { callsOf, type RunningGateway, startGateway } from "../budget/harness.ts";

const CHANNELS = 60;

describe("start-up over an existing account", () => {
  let emulator: Emulator;
  let g: RunningGateway;
  const made: { arn: string; key: string; value: string }[] = [];
  let startedIn = 0;

  beforeAll(async () => {
    // IVS's quotas, ten times faster, so that the crawl of 60 channels takes seconds, not a minute.
    emulator = createEmulator({ port: 0, recordingActivationMs: 0, quotas: { scale: 10 } });
    await emulator.start();
    const ivs = new IvsClient({
      region: "us-west-2",
      endpoint: emulator.url,
      credentials: { accessKeyId: "tool", secretAccessKey: "tool" },
      maxAttempts: 1,
    });
    // The account is made outside any quota; the crawl then runs under them.
    emulator.limiter.options = { ...emulator.limiter.options, enabled: false };
    const rcs: string[] = [];
    for (const name of ["rc-a", "rc-b"])
      rcs.push(
        (
          await ivs.send(
            new CreateRecordingConfigurationCommand({
              name,
              destinationConfiguration: { s3: { bucketName: "bucket" } },
            }),
          )
        ).recordingConfiguration?.arn as string,
      );
    const publicKeyMaterial = generateKeyPairSync("ec", { namedCurve: "secp384r1" })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, name: "kp" }));
    for (let i = 0; i < CHANNELS; i++) {
      const out = await ivs.send(
        new CreateChannelCommand({ name: `existing-${i}`, recordingConfigurationArn: rcs[i % 2] }),
      );
      made.push({
        arn: out.channel?.arn as string,
        key: out.streamKey?.arn as string,
        value: out.streamKey?.value as string,
      });
    }
    for (const { arn } of made.slice(0, 5)) {
      emulator.broadcasts.start({ channelArn: arn });
      emulator.broadcasts.end(arn);
    }
    ivs.destroy();
    emulator.limiter.options = { ...emulator.limiter.options, enabled: true };
    emulator.limiter.reset();
    emulator.counters.reset();
    const started = Date.now();
    g = await startGateway({
      IVS_ENDPOINT: emulator.url,
      IVS_ANONYMOUS: "true",
      AUTH_DISABLED: "true",
      IVS_RATES: JSON.stringify(
        Object.fromEntries(
          [
            "ListChannels",
            "BatchGetChannel",
            "ListStreamKeys",
            "BatchGetStreamKey",
            "ListStreamSessions",
          ].map((op) => [op, 50]),
        ),
      ),
    });
    startedIn = Date.now() - started;
  });
  afterAll(async () => {
    await g?.stop();
    await emulator?.stop();
  });

  it("crawls it once, in full batches, and says so in /metrics and /health", async () => {
    expect(startedIn).toBeGreaterThan(0);
    // The crawl's last batches may still be on their way on a loaded machine: count once the calls stop.
    let counts = await g.counts();
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const next = await g.counts();
      if (JSON.stringify(next) === JSON.stringify(counts)) break;
      counts = next;
    }
    // One page of channels (≤ 100), details in batches of 50, then per channel its lists.
    expect(callsOf(counts, "ListChannels").total).toBe(1);
    expect(callsOf(counts, "BatchGetChannel").total).toBe(Math.ceil(CHANNELS / 50));
    expect(callsOf(counts, "ListStreamKeys").total).toBe(CHANNELS);
    expect(callsOf(counts, "BatchGetStreamKey").total).toBe(Math.ceil(CHANNELS / 50));
    expect(callsOf(counts, "ListStreamSessions").total).toBe(CHANNELS);
    // Configurations: one list each, and details (immutable) once per configuration.
    expect(callsOf(counts, "ListRecordingConfigurations").total).toBe(1);
    expect(callsOf(counts, "GetRecordingConfiguration").total).toBe(2);
    expect(callsOf(counts, "GetPlaybackKeyPair").total).toBe(1);
    for (const [op, c] of Object.entries(counts)) expect(c.byStatus["429"] ?? 0, op).toBe(0);

    const metrics = await (await fetch(`${g.gateway.url}/metrics`)).text();
    for (const kind of [
      "channel",
      "stream-key",
      "stream-session",
      "recording-configuration",
      "playback-key-pair",
    ])
      expect(metrics).toContain(`ivs_mirror_synced{kind="${kind}"} 1`);
    expect(metrics).toContain(`ivs_mirror_resources{kind="channel"} ${CHANNELS}`);
    expect(metrics).toContain(`ivs_mirror_crawl{part="key-lists",state="done"} ${CHANNELS}`);
    expect(metrics).toMatch(/ivs_mirror_oldest_age_seconds\{kind="channel"\} \d/);
    const health = (await (await fetch(`${g.gateway.url}/health`)).json()) as {
      mirror: { synced: Record<string, boolean>; resources: Record<string, number> };
    };
    expect(health.mirror.synced.channel).toBe(true);
    expect(health.mirror.resources.channel).toBe(CHANNELS);
  });

  it("then answers everything from the mirror: lists, details, key values, sessions, configurations", async () => {
    await g.resetCounts();
    const res = await g.gql<{
      channels: {
        edges: {
          node: {
            arn: string;
            playbackUrl: string;
            streamKeys: { arn: string; value: string }[];
            recordingConfiguration: { name: string; recordingReconnectWindowSeconds: number };
          };
        }[];
      };
    }>(`{ channels(first: 100) { edges { node { arn playbackUrl streamKeys { arn value }
          recordingConfiguration { name recordingReconnectWindowSeconds } } } } }`);
    expect(res.errors).toBeUndefined();
    const nodes = res.data?.channels.edges.map((e) => e.node) ?? [];
    expect(nodes).toHaveLength(CHANNELS);
    const byArn = new Map(nodes.map((n) => [n.arn, n]));
    for (const m of made) {
      const n = byArn.get(m.arn);
      expect(n?.streamKeys).toEqual([{ arn: m.key, value: m.value }]);
      expect(n?.playbackUrl).toMatch(/\.m3u8$/);
      // A member list summaries lack: read once per configuration during the crawl.
      expect(n?.recordingConfiguration.recordingReconnectWindowSeconds).toBe(0);
    }
    for (const [i, m] of made.entries()) {
      const res = await g.gql<{ channel: { sessions: { edges: unknown[] } } }>(
        `query ($arn: String!) { channel(arn: $arn) { sessions(first: 3) { edges { node { streamId endTime } } } } }`,
        { arn: m.arn },
      );
      expect(res.data?.channel.sessions.edges).toHaveLength(i < 5 ? 1 : 0);
    }
    expect(await g.counts()).toEqual({});
  });
});

describe("start-up with a slow account-level list", () => {
  it("lists the other kinds meanwhile: channels are mirrored while ListRecordingConfigurations still answers", async () => {
    const gateway = buildGateway(
      loadConfig({ PORT: "0", EMULATOR_PORT: "0", SEED_DEMO_DATA: "false", LOG_LEVEL: "silent" }),
      {
        logger: createLogger({ level: "silent" }),
        emulator: { faults: { latencyMs: 4000, operations: ["ListRecordingConfigurations"] } },
      },
    );
    await gateway.start();
    try {
      // Listed one after another, the channels would wait the 4 s the configurations' list takes.
      await expect
        .poll(() => gateway.mirror.status().synced.channel, { timeout: 3000, interval: 20 })
        .toBe(true);
      expect(gateway.mirror.status().synced["recording-configuration"]).toBe(false);
      await gateway.mirror.synced();
    } finally {
      await gateway.stop();
    }
  });
});
