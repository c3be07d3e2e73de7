import { CreateChannelCommand, GetStreamCommand } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import type { IvsEvent } from "../../emulator/index.ts";
import { broadcastHelpers, names } from "./broadcast-helpers.ts";
import { ACCOUNT, expectIvsError } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator({ broadcasts: { concurrentViewers: 100 } });
const { channel, events, post } = broadcastHelpers(h);

describe("limit breaches", () => {
  it("disconnects an encoder over the bitrate ceiling at once, after a channel-level Limit Breach", async () => {
    const ch = await channel();
    const res = await post("/broadcasts/start", { channelArn: ch.arn, video: { bitrate: 9_000_000 } });
    expect(res.body).toMatchObject({ live: false, disconnected: "Ingest Bitrate" });
    const list = await events(ch.arn);
    expect(names(list)).toEqual(["Session Created", "Ingest Bitrate", "Session Ended"]);
    expect(list[1]).toMatchObject({ "detail-type": "IVS Limit Breach", resources: [ch.arn] });
    expect(list[1]?.detail).toEqual({
      limit_name: "Ingest Bitrate",
      limit: "Ingest Bitrate",
      limit_value: 8_500_000,
      exceeded_by: 9_160_000 - 8_500_000,
      limit_unit: "bits per second",
      channel_name: "ch",
      stream_id: res.body.streamId,
    });
    await expectIvsError(
      h.ivs.send(new GetStreamCommand({ channelArn: ch.arn })),
      "ChannelNotBroadcasting",
      404,
    );
  });

  it("applies BASIC's lower ceilings (1.5 Mbps at 480p) and the 1080p resolution limit", async () => {
    const basic = await channel({ type: "BASIC" });
    const sd = await post("/broadcasts/start", {
      channelArn: basic.arn,
      video: { width: 854, height: 480, bitrate: 2_000_000 },
    });
    expect(sd.body).toMatchObject({ live: false, disconnected: "Ingest Bitrate" });
    expect((await events(basic.arn))[1]?.detail.limit_value).toBe(1_500_000);
    // Defaults stay within BASIC's 3.5 Mbps ceiling.
    expect((await post("/broadcasts/start", { channelArn: basic.arn })).body).toMatchObject({ live: true });
    await post("/broadcasts/end", { channelArn: basic.arn });

    const uhd = await channel();
    await post("/broadcasts/start", { channelArn: uhd.arn, video: { width: 3840, height: 2160 } });
    expect((await events(uhd.arn))[1]?.detail).toMatchObject({
      limit_name: "Ingest Resolution",
      limit_value: 1920 * 1080,
      exceeded_by: 3840 * 2160 - 1920 * 1080,
      limit_unit: "total pixels",
    });
    const wide = await channel();
    await post("/broadcasts/start", { channelArn: wide.arn, video: { width: 2560, height: 720 } });
    expect((await events(wide.arn))[1]?.detail).toMatchObject({
      limit_value: 1920,
      exceeded_by: 640,
      limit_unit: "pixels per edge",
    });
  });

  it("emits requested breaches: ingest ones disconnect unless told not to; account ones name no channel", async () => {
    const ch = await channel();
    await post("/broadcasts/start", { channelArn: ch.arn });
    const kept = await post<{ event: IvsEvent }>("/broadcasts/breach", {
      channelArn: ch.arn,
      limit: "bitrate",
      value: 9_000_000,
      disconnect: false,
    });
    expect(kept.body.event.detail).toMatchObject({ limit_name: "Ingest Bitrate", exceeded_by: 500_000 });
    expect(h.emulator.store.streams.has(ch.arn)).toBe(true);
    await post("/broadcasts/breach", { channelArn: ch.arn, limit: "resolution" });
    expect(h.emulator.store.streams.has(ch.arn)).toBe(false);
    expect(names(await events(ch.arn)).slice(-3)).toEqual([
      "Ingest Resolution",
      "Session Ended",
      "Stream End",
    ]);

    const viewers = await post<{ event: IvsEvent }>("/broadcasts/breach", { limit: "viewers", value: 150 });
    expect(viewers.body.event).toMatchObject({ resources: [], account: ACCOUNT });
    expect(viewers.body.event.detail).toEqual({
      limit_name: "Concurrent Viewers",
      limit: "Concurrent Viewers",
      limit_value: 100,
      exceeded_by: 50,
      limit_unit: "viewers",
    });
    expect((await post("/broadcasts/breach", { limit: "bandwidth" })).status).toBe(400);
    expect((await post("/broadcasts/breach", { limit: "viewers", value: 10 })).status).toBe(400);
    expect((await post("/broadcasts/breach", { channelArn: ch.arn, limit: "bitrate" })).status).toBe(409);
  });

  it("emits one Concurrent Viewers breach when viewer counts cross the account limit", async () => {
    const ch = await channel();
    await post("/broadcasts/start", { channelArn: ch.arn });
    const before = h.emulator.bus.emitted().length;
    await post("/broadcasts/viewers", { channelArn: ch.arn, viewerCount: 101 });
    await post("/broadcasts/viewers", { channelArn: ch.arn, viewerCount: 120 });
    const breaches = h.emulator.bus
      .emitted()
      .slice(before)
      .filter((e) => e.detail.limit_name === "Concurrent Viewers");
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.detail.exceeded_by).toBe(1);
    expect((await h.ivs.send(new GetStreamCommand({ channelArn: ch.arn }))).stream?.viewerCount).toBe(120);
    expect((await post("/broadcasts/viewers", { channelArn: ch.arn, viewerCount: -2 })).status).toBe(400);
    await post("/broadcasts/end", { channelArn: ch.arn });
  });
});

describe("the concurrent broadcasts quota", () => {
  const small = useEmulator({ limits: { concurrentBroadcasts: 1 } });

  it("refuses a broadcast beyond it with 429 and an account-level Limit Breach", async () => {
    const make = async () => (await small.ivs.send(new CreateChannelCommand({}))).channel?.arn as string;
    const [one, two] = [await make(), await make()];
    await small.control("POST", "/broadcasts/start", { channelArn: one });
    const refused = await small.control("POST", "/broadcasts/start", { channelArn: two });
    expect(refused.status).toBe(429);
    const breach = small.emulator.bus.emitted().at(-1);
    expect(breach).toMatchObject({ "detail-type": "IVS Limit Breach", resources: [] });
    expect(breach?.detail).toEqual({
      limit_name: "Concurrent Broadcasts",
      limit: "Concurrent Broadcasts",
      limit_value: 1,
      exceeded_by: 1,
      limit_unit: "active streams",
    });
    expect(small.emulator.store.streams.has(two)).toBe(false);
  });
});
