import {
  BatchGetChannelCommand,
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  DeleteChannelCommand,
  GetChannelCommand,
  GetStreamKeyCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { ACCOUNT, expectIvsError, goLive, missingArn, REGION, uniqueName } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator();

const create = async (input: ConstructorParameters<typeof CreateChannelCommand>[0] = {}) =>
  h.ivs.send(new CreateChannelCommand(input));

describe("CreateChannel", () => {
  it("fills in the documented defaults and creates one stream key", async () => {
    const { channel, streamKey } = await create();
    expect(channel).toMatchObject({
      name: "",
      latencyMode: "LOW",
      type: "STANDARD",
      authorized: false,
      insecureIngest: false,
      preset: "",
      recordingConfigurationArn: "",
      playbackRestrictionPolicyArn: "",
      adConfigurationArn: "",
      containerFormat: "TS",
      multitrackInputConfiguration: { enabled: false, maximumResolution: "FULL_HD", policy: "ALLOW" },
      tags: {},
    });
    expect(streamKey).toEqual({
      arn: expect.any(String),
      value: expect.any(String),
      channelArn: channel?.arn,
      tags: {},
    });
  });

  it("generates identifiers in the service's formats", async () => {
    const { channel, streamKey } = await create({ name: uniqueName("formats") });
    const id = channel?.arn?.split("/")[1];
    expect(channel?.arn).toMatch(new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:channel/[a-zA-Z0-9]{12}$`));
    expect(channel?.ingestEndpoint).toMatch(/^[0-9a-f]{12}\.global-contribute\.live-video\.net$/);
    expect(channel?.playbackUrl).toMatch(
      new RegExp(
        `^https://[0-9a-f]{12}\\.${REGION}\\.playback\\.live-video\\.net/api/video/v1/${REGION}\\.${ACCOUNT}\\.channel\\.${id}\\.m3u8$`,
      ),
    );
    // The real service uses one host prefix per account for ingest and playback.
    expect(channel?.playbackUrl?.slice(8, 20)).toBe(channel?.ingestEndpoint?.slice(0, 12));
    expect(channel?.srt?.endpoint).toMatch(/^[0-9a-f]{12}\.srt\.live-video\.net$/);
    expect(channel?.srt?.passphrase).toMatch(/^[a-zA-Z0-9]{68}$/);
    expect(streamKey?.arn).toMatch(
      new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:stream-key/[a-zA-Z0-9]{12}$`),
    );
    expect(streamKey?.value).toMatch(new RegExp(`^sk_${REGION}_[a-zA-Z0-9]{12}_[a-zA-Z0-9]{30}$`));
  });

  it("keeps what the caller sets, and defaults the preset of ADVANCED channels", async () => {
    const name = uniqueName("custom");
    const { channel } = await create({
      name,
      latencyMode: "NORMAL",
      type: "ADVANCED_HD",
      authorized: true,
      insecureIngest: true,
      tags: { team: "video" },
    });
    expect(channel).toMatchObject({
      name,
      latencyMode: "NORMAL",
      type: "ADVANCED_HD",
      authorized: true,
      insecureIngest: true,
      preset: "HIGHER_BANDWIDTH_DELIVERY",
      tags: { team: "video" },
    });
  });

  it("accepts multitrack input on a STANDARD fMP4 channel", async () => {
    const { channel } = await create({
      containerFormat: "FRAGMENTED_MP4",
      multitrackInputConfiguration: { enabled: true, policy: "REQUIRE", maximumResolution: "HD" },
    });
    expect(channel?.multitrackInputConfiguration).toEqual({
      enabled: true,
      policy: "REQUIRE",
      maximumResolution: "HD",
    });
  });

  it.each([
    [{ name: "bad name!" }, "name"],
    [{ latencyMode: "FAST" }, "latencyMode"],
    [{ type: "PREMIUM" }, "type"],
    [{ tags: { "bad*key": "v" } }, "tags"],
    [{ recordingConfigurationArn: "arn:aws:ivs:us-west-2:1:channel/x" }, "recordingConfigurationArn"],
    [{ preset: "CONSTRAINED_BANDWIDTH_DELIVERY" }, "preset"],
    [
      {
        type: "BASIC",
        containerFormat: "FRAGMENTED_MP4",
        multitrackInputConfiguration: { enabled: true, policy: "ALLOW", maximumResolution: "HD" },
      },
      "multitrackInputConfiguration",
    ],
    [
      { multitrackInputConfiguration: { enabled: true, policy: "ALLOW", maximumResolution: "HD" } },
      "FRAGMENTED_MP4",
    ],
    [{ containerFormat: "FRAGMENTED_MP4", multitrackInputConfiguration: { enabled: true } }, "policy"],
  ])("rejects %j with a ValidationException naming %s", async (input, member) => {
    await expectIvsError(create(input as never), "ValidationException", 400, member);
  });

  it("404s when a referenced recording configuration does not exist", async () => {
    const arn = missingArn("recording-configuration");
    await expectIvsError(create({ recordingConfigurationArn: arn }), "ResourceNotFoundException", 404, arn);
  });
});

describe("GetChannel and BatchGetChannel", () => {
  it("returns the stored channel", async () => {
    const { channel } = await create({ name: uniqueName("get") });
    const got = await h.ivs.send(new GetChannelCommand({ arn: channel?.arn }));
    expect(got.channel).toEqual(channel);
  });

  it("404s for an unknown ARN and 400s for a malformed or missing one", async () => {
    const arn = missingArn("channel");
    await expectIvsError(h.ivs.send(new GetChannelCommand({ arn })), "ResourceNotFoundException", 404, arn);
    await expectIvsError(
      h.ivs.send(new GetChannelCommand({ arn: "nope" })),
      "ValidationException",
      400,
      "arn",
    );
    await expectIvsError(h.ivs.send(new GetChannelCommand({} as never)), "ValidationException", 400, "'arn'");
  });

  it("reports missing ARNs per item with HTTP 200", async () => {
    const { channel } = await create();
    const missing = missingArn("channel");
    const out = await h.ivs.send(new BatchGetChannelCommand({ arns: [channel?.arn as string, missing] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.channels?.map((c) => c.arn)).toEqual([channel?.arn]);
    expect(out.errors).toEqual([
      { arn: missing, code: "ResourceNotFoundException", message: expect.stringContaining(missing) },
    ]);
  });

  it("rejects more than 50 or zero ARNs", async () => {
    const arns = Array.from({ length: 51 }, (_, i) => missingArn("channel") + i);
    await expectIvsError(
      h.ivs.send(new BatchGetChannelCommand({ arns })),
      "ValidationException",
      400,
      "arns",
    );
    await expectIvsError(
      h.ivs.send(new BatchGetChannelCommand({ arns: [] })),
      "ValidationException",
      400,
      "arns",
    );
  });
});

describe("UpdateChannel", () => {
  it("changes only the members supplied", async () => {
    const { channel } = await create({ name: uniqueName("upd"), latencyMode: "NORMAL", authorized: true });
    const { channel: next } = await h.ivs.send(
      new UpdateChannelCommand({ arn: channel?.arn, latencyMode: "LOW" }),
    );
    expect(next).toEqual({ ...channel, latencyMode: "LOW" });
  });

  it('resets the preset when the type changes, and detaches a recording configuration with ""', async () => {
    const { recordingConfiguration: rc } = await h.ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: "detach-me" } },
      }),
    );
    const { channel } = await create({ recordingConfigurationArn: rc?.arn });
    const { channel: next } = await h.ivs.send(
      new UpdateChannelCommand({ arn: channel?.arn, type: "ADVANCED_SD", recordingConfigurationArn: "" }),
    );
    expect(next).toMatchObject({
      type: "ADVANCED_SD",
      preset: "HIGHER_BANDWIDTH_DELIVERY",
      recordingConfigurationArn: "",
    });
  });

  it("404s for an unknown channel and 409s for a live one", async () => {
    const arn = missingArn("channel");
    await expectIvsError(
      h.ivs.send(new UpdateChannelCommand({ arn, name: "x" })),
      "ResourceNotFoundException",
      404,
    );
    const { channel } = await create();
    goLive(h.emulator, channel?.arn as string);
    await expectIvsError(
      h.ivs.send(new UpdateChannelCommand({ arn: channel?.arn, name: "x" })),
      "ConflictException",
      409,
    );
  });
});

describe("DeleteChannel", () => {
  it("deletes the channel and its stream key", async () => {
    const { channel, streamKey } = await create();
    const out = await h.ivs.send(new DeleteChannelCommand({ arn: channel?.arn }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expectIvsError(
      h.ivs.send(new GetChannelCommand({ arn: channel?.arn })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new GetStreamKeyCommand({ arn: streamKey?.arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("409s while live and 404s when unknown", async () => {
    const { channel } = await create();
    goLive(h.emulator, channel?.arn as string);
    await expectIvsError(
      h.ivs.send(new DeleteChannelCommand({ arn: channel?.arn })),
      "ConflictException",
      409,
    );
    await expectIvsError(
      h.ivs.send(new DeleteChannelCommand({ arn: missingArn("channel") })),
      "ResourceNotFoundException",
      404,
    );
  });
});
