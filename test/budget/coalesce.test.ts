import { CreateChannelCommand, CreateRecordingConfigurationCommand } from "@aws-sdk/client-ivs";
import { beforeAll, describe, expect, it } from "vitest";
import { callsOf, useGateway } from "./harness.ts";

const CHANNEL = `query ($arn: String!) { channel(arn: $arn) { arn name playbackUrl } }`;

describe("coalescing across requests", () => {
  // No cache, so that every saving below is coalescing's. A window long enough for a slow CI machine.
  // A wide window: the test proves that concurrent requests merge, even on a cold, loaded CI machine.
  const h = useGateway({ CACHE_ENABLED: "false", COALESCE_WINDOW_MS: "400" });
  const channels: string[] = [];
  let recordingArn = "";

  beforeAll(async () => {
    await h.arrange(async () => {
      for (let i = 0; i < 60; i++) {
        const out = await h.direct.send(new CreateChannelCommand({ name: `c${i}` }));
        channels.push(out.channel?.arn as string);
      }
      const rc = await h.direct.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: "bucket" } },
        }),
      );
      recordingArn = rc.recordingConfiguration?.arn as string;
    });
  });

  it("serves 20 concurrent requests for 20 different channels with one BatchGetChannel", async () => {
    await h.resetCounts();
    const arns = channels.slice(0, 20);
    const results = await Promise.all(arns.map((arn) => h.gql(CHANNEL, { arn })));
    expect(results.map((r) => (r.data?.channel as { arn: string } | undefined)?.arn)).toEqual(arns);
    expect(callsOf(await h.counts(), "BatchGetChannel")).toEqual({ total: 1, throttled: 0 });
  });

  it("splits what concurrent requests need into batches of at most 50 ARNs", async () => {
    await h.resetCounts();
    const results = await Promise.all(channels.map((arn) => h.gql(CHANNEL, { arn })));
    expect(results.every((r) => r.data?.channel)).toBe(true);
    // 60 ARNs never fit one call; a request arriving after the window may open a third batch.
    const calls = callsOf(await h.counts(), "BatchGetChannel").total;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it("makes identical concurrent calls once", async () => {
    await h.resetCounts();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.gql(`query ($arn: String!) { recordingConfiguration(arn: $arn) { arn } }`, { arn: recordingArn }),
      ),
    );
    for (const r of results) expect(r.data).toEqual({ recordingConfiguration: { arn: recordingArn } });
    expect(callsOf(await h.counts(), "GetRecordingConfiguration").total).toBe(1);
  });
});

describe("without coalescing", () => {
  const h = useGateway({ CACHE_ENABLED: "false", COALESCE_ENABLED: "false" });

  it("sends one BatchGetChannel per request", async () => {
    const arns = await h.arrange(async () => {
      const out: string[] = [];
      for (let i = 0; i < 4; i++)
        out.push((await h.direct.send(new CreateChannelCommand({ name: `n${i}` }))).channel?.arn as string);
      return out;
    });
    await h.resetCounts();
    await Promise.all(arns.map((arn) => h.gql(CHANNEL, { arn })));
    expect(callsOf(await h.counts(), "BatchGetChannel").total).toBe(4);
  });
});
