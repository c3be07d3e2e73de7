import {
  CreateChannelCommand,
  DeleteChannelCommand,
  GetStreamCommand,
  ListStreamsCommand,
  PutMetadataCommand,
  paginateListStreams,
  StopStreamCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { expectIvsError, missingArn, rawPost } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator();

async function liveChannel(viewerCount = 0) {
  const { channel } = await h.ivs.send(new CreateChannelCommand({ name: "live" }));
  const arn = channel?.arn as string;
  const { streamId } = h.emulator.broadcasts.start({ channelArn: arn, viewerCount });
  return { arn, streamId, playbackUrl: channel?.playbackUrl as string };
}

async function offlineChannel() {
  const { channel } = await h.ivs.send(new CreateChannelCommand({}));
  return channel?.arn as string;
}

describe("GetStream", () => {
  it("returns the live stream", async () => {
    const ch = await liveChannel(42);
    const { stream } = await h.ivs.send(new GetStreamCommand({ channelArn: ch.arn }));
    expect(stream).toEqual({
      channelArn: ch.arn,
      streamId: ch.streamId,
      playbackUrl: ch.playbackUrl,
      startTime: expect.any(Date),
      state: "LIVE",
      health: "HEALTHY",
      viewerCount: 42,
    });
    expect(Date.now() - (stream?.startTime?.getTime() ?? 0)).toBeLessThan(10_000);
  });

  it("404s ChannelNotBroadcasting once the broadcast ended, and ResourceNotFound for unknown channels", async () => {
    const ch = await liveChannel();
    h.emulator.broadcasts.end(ch.arn);
    await expectIvsError(
      h.ivs.send(new GetStreamCommand({ channelArn: ch.arn })),
      "ChannelNotBroadcasting",
      404,
      "is not currently online",
    );
    await expectIvsError(
      h.ivs.send(new GetStreamCommand({ channelArn: missingArn("channel") })),
      "ResourceNotFoundException",
      404,
    );
  });
});

describe("ListStreams", () => {
  it("lists live streams as summaries without playbackUrl, filtered by health, in pages", async () => {
    const a = await liveChannel();
    const b = await liveChannel();
    const ended = await liveChannel();
    h.emulator.broadcasts.end(ended.arn);
    h.emulator.broadcasts.starve(b.arn);

    const raw = await rawPost(h.emulator, "ListStreams", {});
    const streams = raw.body.streams as Record<string, unknown>[];
    const ours = streams.filter((s) => [a.arn, b.arn, ended.arn].includes(s.channelArn as string));
    expect(ours.map((s) => s.streamId)).toEqual([a.streamId, b.streamId]);
    expect(Object.keys(ours[0] ?? {}).sort()).toEqual(
      ["channelArn", "health", "startTime", "state", "streamId", "viewerCount"].sort(),
    );

    const starving = await h.ivs.send(new ListStreamsCommand({ filterBy: { health: "STARVING" } }));
    expect(starving.streams?.map((s) => s.channelArn)).toEqual([b.arn]);
    const healthy = await h.ivs.send(new ListStreamsCommand({ filterBy: { health: "HEALTHY" } }));
    expect(healthy.streams?.map((s) => s.channelArn)).toContain(a.arn);
    expect(healthy.streams?.map((s) => s.channelArn)).not.toContain(b.arn);

    const paged: string[] = [];
    for await (const page of paginateListStreams({ client: h.ivs, pageSize: 1 }, {})) {
      expect(page.streams?.length).toBeLessThanOrEqual(1);
      paged.push(...(page.streams ?? []).map((s) => s.streamId as string));
    }
    expect(paged).toEqual(streams.map((s) => s.streamId));
    h.emulator.broadcasts.recover(b.arn);
  });
});

describe("StopStream", () => {
  it("ends the broadcast with the same events as an encoder disconnecting", async () => {
    const ch = await liveChannel();
    const out = await h.ivs.send(new StopStreamCommand({ channelArn: ch.arn }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    const names = h.emulator.bus
      .emitted()
      .filter((e) => e.resources.includes(ch.arn))
      .map((e) => e.detail.event_name);
    expect(names).toEqual(["Session Created", "Stream Start", "Session Ended", "Stream End"]);
    await expectIvsError(
      h.ivs.send(new GetStreamCommand({ channelArn: ch.arn })),
      "ChannelNotBroadcasting",
      404,
    );
  });

  it("404s for offline and unknown channels", async () => {
    await expectIvsError(
      h.ivs.send(new StopStreamCommand({ channelArn: await offlineChannel() })),
      "ChannelNotBroadcasting",
      404,
    );
    await expectIvsError(
      h.ivs.send(new StopStreamCommand({ channelArn: missingArn("channel") })),
      "ResourceNotFoundException",
      404,
    );
  });
});

describe("PutMetadata", () => {
  it("accepts up to 1 KB (UTF-8 bytes) on a live channel with 204", async () => {
    const ch = await liveChannel();
    const out = await h.ivs.send(new PutMetadataCommand({ channelArn: ch.arn, metadata: '{"q":1}' }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    // 512 two-byte characters are exactly 1024 bytes.
    await h.ivs.send(new PutMetadataCommand({ channelArn: ch.arn, metadata: "é".repeat(512) }));
  });

  it("refuses more than 1 KB with 400, counting bytes rather than characters", async () => {
    const ch = await liveChannel();
    for (const metadata of ["x".repeat(1025), "€".repeat(342)]) {
      await expectIvsError(
        h.ivs.send(new PutMetadataCommand({ channelArn: ch.arn, metadata })),
        "ValidationException",
        400,
        "Metadata size exceeds payload limit",
      );
    }
  });

  it("404s ChannelNotBroadcasting when offline and ResourceNotFound for unknown channels", async () => {
    await expectIvsError(
      h.ivs.send(new PutMetadataCommand({ channelArn: await offlineChannel(), metadata: "hi" })),
      "ChannelNotBroadcasting",
      404,
    );
    await expectIvsError(
      h.ivs.send(new PutMetadataCommand({ channelArn: missingArn("channel"), metadata: "hi" })),
      "ResourceNotFoundException",
      404,
    );
  });
});

describe("a live channel", () => {
  it("cannot be updated or deleted (409) until the broadcast ends", async () => {
    const ch = await liveChannel();
    await expectIvsError(
      h.ivs.send(new UpdateChannelCommand({ arn: ch.arn, name: "renamed" })),
      "ConflictException",
      409,
    );
    await expectIvsError(h.ivs.send(new DeleteChannelCommand({ arn: ch.arn })), "ConflictException", 409);
    await h.ivs.send(new StopStreamCommand({ channelArn: ch.arn }));
    const { channel } = await h.ivs.send(new UpdateChannelCommand({ arn: ch.arn, name: "renamed" }));
    expect(channel?.name).toBe("renamed");
    const deleted = await h.ivs.send(new DeleteChannelCommand({ arn: ch.arn }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });
});
