import {
  CreateChannelCommand,
  type CreateChannelCommandInput,
  CreateRecordingConfigurationCommand,
  GetChannelCommand,
  GetStreamSessionCommand,
  ListStreamSessionsCommand,
  paginateListStreamSessions,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { expectIvsError, missingArn, rawPost } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator({ broadcasts: { recordingEndDelayScale: 0 } });

async function channel(input: Partial<CreateChannelCommandInput> = {}) {
  const { channel } = await h.ivs.send(new CreateChannelCommand({ name: "sessions", ...input }));
  return channel?.arn as string;
}

const session = (channelArn: string, streamId?: string) =>
  h.ivs.send(new GetStreamSessionCommand({ channelArn, streamId })).then((o) => o.streamSession);

describe("GetStreamSession", () => {
  it("describes a live session: channel snapshot, default ingest, recording configuration, events newest first", async () => {
    const { recordingConfiguration: rc } = await h.ivs.send(
      new CreateRecordingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: "b-1" } } }),
    );
    const arn = await channel({ recordingConfigurationArn: rc?.arn });
    const { streamId } = h.emulator.broadcasts.start(arn);
    const s = await session(arn);
    const { channel: current } = await h.ivs.send(new GetChannelCommand({ arn }));
    expect(s?.streamId).toBe(streamId);
    expect(s?.startTime).toBeInstanceOf(Date);
    expect(s?.endTime).toBeUndefined();
    expect(s?.channel).toEqual(current);
    expect(s?.recordingConfiguration).toMatchObject({
      arn: rc?.arn,
      destinationConfiguration: { s3: { bucketName: "b-1" } },
    });
    expect(s?.ingestConfiguration).toEqual({
      video: {
        avcProfile: "High",
        avcLevel: "4.2",
        codec: "avc1.64002A",
        encoder: "ivs-emulator",
        targetBitrate: 6_000_000,
        targetFramerate: 30,
        videoHeight: 1080,
        videoWidth: 1920,
        level: "4.2",
        profile: "High",
        track: "Track0",
      },
      audio: { codec: "mp4a.40.2", targetBitrate: 160_000, sampleRate: 48_000, channels: 2, track: "Track0" },
    });
    expect(s?.ingestConfigurations?.videoConfigurations).toEqual([
      expect.objectContaining({ avcProfile: "", avcLevel: "", profile: "High", track: "Track0" }),
    ]);
    expect(s?.ingestConfigurations?.audioConfigurations).toHaveLength(1);
    expect(s?.truncatedEvents?.map((e) => [e.name, e.type])).toEqual([
      ["Recording Start", "IVS Recording State Change"],
      ["Stream Start", "IVS Stream State Change"],
      ["Session Created", "IVS Stream State Change"],
    ]);
    expect(s?.truncatedEvents?.[0]?.eventTime).toBeInstanceOf(Date);
    h.emulator.broadcasts.end(arn);
  });

  it("keeps what the broadcast sent and what the channel was, after it ends and the channel changes", async () => {
    const arn = await channel();
    const first = h.emulator.broadcasts.start({
      channelArn: arn,
      video: { width: 1280, height: 720, bitrate: 3_500_000, framerate: 60 },
      audio: { bitrate: 96_000 },
    });
    h.emulator.broadcasts.end(arn);
    await h.ivs.send(new UpdateChannelCommand({ arn, name: "renamed" }));
    const second = h.emulator.broadcasts.start(arn);
    h.emulator.broadcasts.end(arn);

    const latest = await session(arn);
    expect(latest?.streamId).toBe(second.streamId);
    expect(latest?.channel?.name).toBe("renamed");
    const older = await session(arn, first.streamId);
    expect(older?.channel?.name).toBe("sessions");
    expect(older?.endTime?.getTime()).toBeGreaterThanOrEqual(older?.startTime?.getTime() ?? Infinity);
    expect(older?.ingestConfiguration?.video).toMatchObject({
      videoWidth: 1280,
      videoHeight: 720,
      targetBitrate: 3_500_000,
      targetFramerate: 60,
    });
    expect(older?.ingestConfiguration?.audio?.targetBitrate).toBe(96_000);
    expect(older?.truncatedEvents?.map((e) => e.name)).toEqual([
      "Stream End",
      "Session Ended",
      "Stream Start",
      "Session Created",
    ]);
  });

  it("records a refused multitrack input as Session Ended with its code", async () => {
    const arn = await channel();
    const out = h.emulator.broadcasts.start({
      channelArn: arn,
      tracks: [{ height: 1080 }, { height: 720, width: 1280 }],
    });
    expect(out).toMatchObject({ live: false, disconnected: "MultitrackInputNotAllowed" });
    const s = await session(arn);
    expect(s?.truncatedEvents?.[0]).toMatchObject({
      name: "Session Ended",
      code: "MultitrackInputNotAllowed",
    });
    expect(s?.ingestConfigurations?.videoConfigurations?.map((v) => v.track)).toEqual(["Track0", "Track1"]);
  });

  it("keeps at most 500 events, newest first", async () => {
    const arn = await channel();
    h.emulator.broadcasts.start(arn);
    for (let i = 0; i < 300; i++) {
      h.emulator.broadcasts.starve(arn);
      h.emulator.broadcasts.recover(arn);
    }
    const s = await session(arn);
    expect(s?.truncatedEvents).toHaveLength(500);
    expect(s?.truncatedEvents?.[0]?.name).toBe("Starvation End");
    h.emulator.broadcasts.end(arn);
  });

  it("404s for a channel that never went live, an unknown stream id, or an unknown channel", async () => {
    const arn = await channel();
    await expectIvsError(
      h.ivs.send(new GetStreamSessionCommand({ channelArn: arn })),
      "ResourceNotFoundException",
      404,
    );
    h.emulator.broadcasts.start(arn);
    h.emulator.broadcasts.end(arn);
    await expectIvsError(
      h.ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId: `st-${"0".repeat(23)}` })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new GetStreamSessionCommand({ channelArn: missingArn("channel") })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("sends no hasErrorEvent in the full session (only summaries carry it)", async () => {
    const arn = await channel();
    h.emulator.broadcasts.start(arn);
    const raw = await rawPost(h.emulator, "GetStreamSession", { channelArn: arn });
    expect(Object.keys(raw.body.streamSession as object)).not.toContain("hasErrorEvent");
    h.emulator.broadcasts.end(arn);
  });
});

describe("ListStreamSessions", () => {
  it("lists summaries newest first, endTime only once ended, hasErrorEvent from failures", async () => {
    const arn = await channel();
    const a = h.emulator.broadcasts.start(arn);
    h.emulator.broadcasts.fail(arn);
    const b = h.emulator.broadcasts.start(arn);
    h.emulator.broadcasts.end(arn);
    const c = h.emulator.broadcasts.start(arn);

    const { streamSessions } = await h.ivs.send(new ListStreamSessionsCommand({ channelArn: arn }));
    expect(streamSessions?.map((s) => s.streamId)).toEqual([c.streamId, b.streamId, a.streamId]);
    expect(streamSessions?.map((s) => s.hasErrorEvent)).toEqual([false, false, true]);
    expect(streamSessions?.[0]?.endTime).toBeUndefined();
    expect(streamSessions?.[1]?.endTime).toBeInstanceOf(Date);

    const paged: string[] = [];
    for await (const page of paginateListStreamSessions(
      { client: h.ivs, pageSize: 1 },
      { channelArn: arn },
    )) {
      paged.push(...(page.streamSessions ?? []).map((s) => s.streamId as string));
    }
    expect(paged).toEqual([c.streamId, b.streamId, a.streamId]);
    h.emulator.broadcasts.end(arn);
  });

  it("is empty for a channel that never went live and 404s for an unknown channel", async () => {
    const out = await h.ivs.send(new ListStreamSessionsCommand({ channelArn: await channel() }));
    expect(out.streamSessions).toEqual([]);
    await expectIvsError(
      h.ivs.send(new ListStreamSessionsCommand({ channelArn: missingArn("channel") })),
      "ResourceNotFoundException",
      404,
    );
  });
});
