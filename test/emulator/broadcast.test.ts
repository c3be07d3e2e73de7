import {
  DeleteStreamKeyCommand,
  GetStreamCommand,
  ListStreamKeysCommand,
  ListStreamSessionsCommand,
  ListStreamsCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { broadcastHelpers, names } from "./broadcast-helpers.ts";
import { ACCOUNT, expectIvsError, missingArn } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator({ broadcasts: { recordingEndDelayScale: 0 } });
const { channel, recordingChannel, events, post } = broadcastHelpers(h);

describe("starting and ending broadcasts", () => {
  it("starts by channel ARN, reports it live, and ends it", async () => {
    const ch = await channel();
    const start = await post<{ streamId: string; live: boolean; health: string }>("/broadcasts/start", {
      channelArn: ch.arn,
      viewerCount: 12,
    });
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ channelArn: ch.arn, live: true, health: "HEALTHY", viewerCount: 12 });
    expect(start.body.streamId).toMatch(/^st-[a-zA-Z0-9]{23}$/);
    const live = await h.control<{ broadcasts: { channelArn: string }[] }>("GET", "/broadcasts");
    expect(live.body.broadcasts.map((b) => b.channelArn)).toContain(ch.arn);

    const end = await post("/broadcasts/end", { channelArn: ch.arn });
    expect(end.body).toMatchObject({ streamId: start.body.streamId, live: false });
    expect(names(await events(ch.arn))).toEqual([
      "Session Created",
      "Stream Start",
      "Session Ended",
      "Stream End",
    ]);
    await expectIvsError(
      h.ivs.send(new GetStreamCommand({ channelArn: ch.arn })),
      "ChannelNotBroadcasting",
      404,
    );
  });

  it("starts by stream key value, and refuses unknown or deleted keys", async () => {
    const ch = await channel();
    const start = await post("/broadcasts/start", { streamKey: ch.key });
    expect(start.body).toMatchObject({ channelArn: ch.arn, live: true });
    await post("/broadcasts/end", { streamKey: ch.key });

    const unknown = await post<{ error: string }>("/broadcasts/start", { streamKey: "sk_us-west-2_nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).not.toContain("sk_us-west-2_nope");
    const { streamKeys } = await h.ivs.send(new ListStreamKeysCommand({ channelArn: ch.arn }));
    await h.ivs.send(new DeleteStreamKeyCommand({ arn: streamKeys?.[0]?.arn }));
    expect((await post("/broadcasts/start", { streamKey: ch.key })).status).toBe(404);
    // Without a key no encoder can connect, even when the control call names the channel.
    expect((await post("/broadcasts/start", { channelArn: ch.arn })).status).toBe(409);
  });

  it("answers 400 for bad bodies, 404 for unknown channels, 409 for wrong states", async () => {
    const ch = await channel();
    expect((await post("/broadcasts/start", {})).status).toBe(400);
    expect((await post("/broadcasts/start", { channelArn: ch.arn, bogus: 1 })).status).toBe(400);
    expect((await post("/broadcasts/start", { channelArn: ch.arn, video: { bitrate: "fast" } })).status).toBe(
      400,
    );
    expect((await post("/broadcasts/start", { channelArn: ch.arn, streamKey: ch.key })).status).toBe(400);
    expect((await post("/broadcasts/start", { channelArn: missingArn("channel") })).status).toBe(404);
    expect((await post("/broadcasts/end", { channelArn: ch.arn })).status).toBe(409);
    expect((await post("/broadcasts/starve", { channelArn: ch.arn })).status).toBe(409);
    await post("/broadcasts/start", { channelArn: ch.arn });
    const again = await post<{ error: string }>("/broadcasts/start", { channelArn: ch.arn });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain("takeover");
    await post("/broadcasts/end", { channelArn: ch.arn });
  });

  it("takes over a live broadcast on request, keeping the stream, and refuses a lower priority", async () => {
    const ch = await channel();
    const first = await post<{ streamId: string }>("/broadcasts/start", { channelArn: ch.arn });
    const taken = await post<{ streamId: string }>("/broadcasts/start", {
      channelArn: ch.arn,
      takeover: true,
      priority: 5,
    });
    expect(taken.body.streamId).toBe(first.body.streamId);
    const low = await post("/broadcasts/start", { channelArn: ch.arn, takeover: true, priority: 3 });
    expect(low.status).toBe(409);
    const mismatch = await post("/broadcasts/start", {
      channelArn: ch.arn,
      takeover: true,
      video: { width: 1280, height: 720 },
    });
    expect(mismatch.status).toBe(409);
    const list = await events(ch.arn);
    expect(names(list).slice(-3)).toEqual([
      "Stream Takeover",
      "Stream Takeover Failure",
      "Stream Takeover Failure",
    ]);
    expect(list.slice(-2).map((e) => e.detail.code)).toEqual([
      "StreamTakeoverInvalidPriority",
      "StreamTakeoverMediaMismatch",
    ]);
    await post("/broadcasts/end", { channelArn: ch.arn });
  });

  it("fails a broadcast with a reason, then ends it, and marks the session", async () => {
    const ch = await channel();
    await post("/broadcasts/start", { channelArn: ch.arn });
    await post("/broadcasts/fail", {
      channelArn: ch.arn,
      reason: "Transcode capacity exceeded. Please try again.",
    });
    const list = await events(ch.arn);
    expect(names(list).slice(-3)).toEqual(["Stream Failure", "Session Ended", "Stream End"]);
    expect(list.at(-3)?.detail.reason).toBe("Transcode capacity exceeded. Please try again.");
    const { streamSessions } = await h.ivs.send(new ListStreamSessionsCommand({ channelArn: ch.arn }));
    expect(streamSessions?.[0]?.hasErrorEvent).toBe(true);
  });

  it("starves and recovers: health in GetStream and ListStreams, Starvation Start/End events", async () => {
    const ch = await channel();
    await post("/broadcasts/start", { channelArn: ch.arn });
    await post("/broadcasts/starve", { channelArn: ch.arn });
    expect((await h.ivs.send(new GetStreamCommand({ channelArn: ch.arn }))).stream?.health).toBe("STARVING");
    const starving = await h.ivs.send(new ListStreamsCommand({ filterBy: { health: "STARVING" } }));
    expect(starving.streams?.map((s) => s.channelArn)).toContain(ch.arn);
    expect((await post("/broadcasts/starve", { channelArn: ch.arn })).status).toBe(409);
    await post("/broadcasts/recover", { channelArn: ch.arn });
    expect((await h.ivs.send(new GetStreamCommand({ channelArn: ch.arn }))).stream?.health).toBe("HEALTHY");
    const health = (await events(ch.arn)).filter((e) => e["detail-type"] === "IVS Stream Health Change");
    expect(names(health)).toEqual(["Starvation Start", "Starvation End"]);
    expect(health[0]?.detail).toEqual({
      event_name: "Starvation Start",
      channel_name: "ch",
      stream_id: expect.any(String),
    });
    await post("/broadcasts/end", { channelArn: ch.arn });
  });
});

describe("recording", () => {
  it("emits Recording Start and End with the documented fields and prefix", async () => {
    const ch = await recordingChannel();
    const start = await post<{ streamId: string; recording: boolean }>("/broadcasts/start", {
      channelArn: ch.arn,
    });
    expect(start.body.recording).toBe(true);
    await post("/broadcasts/end", { channelArn: ch.arn });
    const rec = (await events(ch.arn)).filter((e) => e["detail-type"] === "IVS Recording State Change");
    expect(names(rec)).toEqual(["Recording Start", "Recording End"]);
    const prefix = new RegExp(
      `^ivs/v1/${ACCOUNT}/${ch.id}/\\d{4}/\\d{1,2}/\\d{1,2}/\\d{1,2}/\\d{2}/[a-zA-Z0-9]{12}$`,
    );
    expect(rec[0]?.detail).toEqual({
      channel_name: "ch",
      stream_id: start.body.streamId,
      recording_status: "Recording Start",
      recording_status_reason: "",
      recording_s3_bucket_name: "vod-bucket",
      recording_s3_key_prefix: expect.stringMatching(prefix),
      recording_duration_ms: 0,
      recording_session_id: expect.stringMatching(/^[a-zA-Z0-9]{16}$/),
    });
    expect(rec[1]?.detail).toMatchObject({
      recording_status: "Recording End",
      recording_s3_key_prefix: rec[0]?.detail.recording_s3_key_prefix,
      recording_session_id: rec[0]?.detail.recording_session_id,
      recording_duration_ms: expect.any(Number),
      recording_session_stream_ids: [start.body.streamId],
    });
  });

  it("merges a broadcast that reconnects within the window into one recording", async () => {
    const ch = await recordingChannel(5);
    h.emulator.broadcasts.options.recordingEndDelayScale = 0.02; // 5 s → 100 ms
    try {
      const a = h.emulator.broadcasts.start(ch.arn);
      h.emulator.broadcasts.end(ch.arn);
      expect(names(await events(ch.arn))).not.toContain("Recording End");
      const b = h.emulator.broadcasts.start(ch.arn);
      h.emulator.broadcasts.end(ch.arn);
      await expect
        .poll(async () => names(await events(ch.arn)), { timeout: 2000 })
        .toContain("Recording End");
      const rec = (await events(ch.arn)).filter((e) => e["detail-type"] === "IVS Recording State Change");
      expect(names(rec)).toEqual(["Recording Start", "Recording End"]);
      expect(rec[1]?.detail.recording_session_stream_ids).toEqual([a.streamId, b.streamId]);
      expect(rec[1]?.detail.stream_id).toBe(b.streamId);
    } finally {
      h.emulator.broadcasts.options.recordingEndDelayScale = 0;
    }
  });

  it("reports recording failures at start or at end", async () => {
    const failsAtStart = await recordingChannel();
    await post("/broadcasts/start", { channelArn: failsAtStart.arn, recordingFailure: "start" });
    await post("/broadcasts/end", { channelArn: failsAtStart.arn });
    const a = (await events(failsAtStart.arn)).filter(
      (e) => e["detail-type"] === "IVS Recording State Change",
    );
    expect(a.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        recording_status: "Recording Start Failure",
        recording_status_reason: "ValidationException",
        recording_s3_key_prefix: "",
      }),
    ]);
    const failsAtEnd = await recordingChannel();
    await post("/broadcasts/start", { channelArn: failsAtEnd.arn, recordingFailure: "end" });
    await post("/broadcasts/end", { channelArn: failsAtEnd.arn });
    const b = (await events(failsAtEnd.arn)).filter((e) => e["detail-type"] === "IVS Recording State Change");
    expect(names(b)).toEqual(["Recording Start", "Recording End Failure"]);
    expect(b[1]?.detail).toMatchObject({
      recording_status_reason: "InternalServerException",
      recording_duration_ms: 0,
    });
    expect(
      (await post("/broadcasts/start", { channelArn: failsAtEnd.arn, recordingFailure: "middle" })).status,
    ).toBe(400);
  });

  it("does not record while the configuration is still CREATING", async () => {
    const ch = await recordingChannel();
    const rc = h.emulator.store.recordingConfigurations.get(
      h.emulator.store.channels.get(ch.arn)?.recordingConfigurationArn as string,
    );
    if (!rc) throw new Error("recording configuration missing");
    Object.assign(rc, { state: "CREATING", activeAt: Date.now() + 60_000 });
    const start = await post<{ recording: boolean }>("/broadcasts/start", { channelArn: ch.arn });
    expect(start.body.recording).toBe(false);
    await post("/broadcasts/end", { channelArn: ch.arn });
    expect(names(await events(ch.arn))).toEqual([
      "Session Created",
      "Stream Start",
      "Session Ended",
      "Stream End",
    ]);
  });
});
