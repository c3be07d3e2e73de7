import { generateKeyPairSync } from "node:crypto";
import {
  BatchGetChannelCommand,
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  CreateStreamKeyCommand,
  DeleteChannelCommand,
  DeleteRecordingConfigurationCommand,
  DeleteStreamKeyCommand,
  GetChannelCommand,
  GetStreamKeyCommand,
  ImportPlaybackKeyPairCommand,
  ListChannelsCommand,
  ListTagsForResourceCommand,
  PutMetadataCommand,
  StopStreamCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAdConfigurationCommand,
  UpdateChannelCommand,
  UpdatePlaybackRestrictionPolicyCommand,
} from "@aws-sdk/client-ivs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { optionsFromCli } from "../../emulator/cli.ts";
import { CLOUDTRAIL_DETAIL_TYPE, HIDDEN, recorded } from "../../emulator/events/cloudtrail.ts";
import { createEmulator, type IvsEvent } from "../../emulator/index.ts";
import type { ServiceModel } from "../../model/types.ts";
import { type EventSink, startEventSink } from "./event-sink.ts";
import { ACCOUNT, expectIvsError, goLive, missingArn, REGION, uniqueName } from "./expect-ivs.ts";
import { type Harness, useEmulator } from "./harness.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The CloudTrail events GET /_emulator/events logged, oldest first. */
async function trail(h: Harness): Promise<IvsEvent[]> {
  const type = encodeURIComponent(CLOUDTRAIL_DETAIL_TYPE);
  return (await h.control<{ events: IvsEvent[] }>("GET", `/events?detailType=${type}`)).body.events;
}

/** The one CloudTrail event of the last write, checked against the SDK's request id. */
async function only(h: Harness, out: { $metadata: { requestId?: string } }) {
  const events = await trail(h);
  expect(events).toHaveLength(1);
  const event = events[0] as IvsEvent;
  expect(event.detail.requestID).toBe(out.$metadata.requestId);
  await h.control("DELETE", "/events");
  return event.detail;
}

describe("CloudTrail events of successful writes", () => {
  const h = useEmulator({ broadcasts: { recordingEndDelayScale: 0 } });
  /** What the store held when each CloudTrail event was emitted, to prove the write was already visible. */
  const seen: { eventName: unknown; channels: string[]; streamKeys: string[] }[] = [];
  beforeAll(() => {
    h.emulator.bus.addSink({
      deliver: (e) => {
        if (e["detail-type"] !== CLOUDTRAIL_DETAIL_TYPE) return;
        const { channels, streamKeys } = h.emulator.store;
        seen.push({
          eventName: e.detail.eventName,
          channels: [...channels.keys()],
          streamKeys: [...streamKeys.keys()],
        });
      },
    });
  });
  beforeEach(async () => {
    seen.length = 0;
    await h.control("DELETE", "/events");
  });

  it("CreateChannel: the EventBridge envelope around a CloudTrail record, secrets hidden", async () => {
    const out = await h.ivs.send(
      new CreateChannelCommand({ name: "show", latencyMode: "NORMAL", tags: { team: "a" } }),
    );
    const [event, ...more] = await trail(h);
    expect(more).toEqual([]);
    expect(event).toEqual({
      version: "0",
      id: expect.stringMatching(UUID),
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ivs",
      account: ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: REGION,
      resources: [],
      detail: {
        eventVersion: "1.09",
        userIdentity: {
          type: "IAMUser",
          principalId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/),
          arn: `arn:aws:iam::${ACCOUNT}:user/test`,
          accountId: ACCOUNT,
          accessKeyId: "test",
          userName: "test",
        },
        eventTime: event?.time,
        eventSource: "ivs.amazonaws.com",
        eventName: "CreateChannel",
        awsRegion: REGION,
        sourceIPAddress: "127.0.0.1",
        userAgent: expect.stringContaining("aws-sdk-js"),
        requestParameters: { name: "show", latencyMode: "NORMAL", tags: { team: "a" } },
        responseElements: {
          channel: { ...out.channel, srt: { endpoint: out.channel?.srt?.endpoint, passphrase: HIDDEN } },
          streamKey: { ...out.streamKey, value: HIDDEN },
        },
        requestID: out.$metadata.requestId,
        eventID: expect.stringMatching(UUID),
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: ACCOUNT,
        eventCategory: "Management",
      },
    });
    expect(event?.detail.eventID).not.toBe(event?.id);
    expect(Math.abs(Date.parse(event?.time ?? "") - Date.now())).toBeLessThan(5_000);
    const json = JSON.stringify(event);
    expect(json).not.toContain(out.streamKey?.value);
    expect(json).not.toContain(out.channel?.srt?.passphrase);
    // Emitted with the channel and its key already in the store.
    expect(seen).toEqual([
      {
        eventName: "CreateChannel",
        channels: expect.arrayContaining([out.channel?.arn]),
        streamKeys: expect.arrayContaining([out.streamKey?.arn]),
      },
    ]);
  });

  it("UpdateChannel, DeleteStreamKey, CreateStreamKey, DeleteChannel: one record each, after the change", async () => {
    const { channel, streamKey } = await h.ivs.send(new CreateChannelCommand({ name: "before" }));
    const arn = channel?.arn as string;
    await h.control("DELETE", "/events");

    const updated = await h.ivs.send(new UpdateChannelCommand({ arn, name: "after", authorized: true }));
    expect(await only(h, updated)).toMatchObject({
      eventName: "UpdateChannel",
      requestParameters: { arn, name: "after", authorized: true },
      responseElements: { channel: { arn, name: "after", authorized: true, srt: { passphrase: HIDDEN } } },
    });
    const deletedKey = await h.ivs.send(new DeleteStreamKeyCommand({ arn: streamKey?.arn }));
    expect(await only(h, deletedKey)).toMatchObject({
      eventName: "DeleteStreamKey",
      requestParameters: { arn: streamKey?.arn },
      responseElements: null,
    });
    const created = await h.ivs.send(new CreateStreamKeyCommand({ channelArn: arn, tags: { k: "v" } }));
    const createdKey = await only(h, created);
    expect(createdKey).toMatchObject({
      eventName: "CreateStreamKey",
      requestParameters: { channelArn: arn, tags: { k: "v" } },
      responseElements: { streamKey: { ...created.streamKey, value: HIDDEN } },
    });
    expect(JSON.stringify(createdKey)).not.toContain(created.streamKey?.value);
    const deleted = await h.ivs.send(new DeleteChannelCommand({ arn }));
    expect(await only(h, deleted)).toMatchObject({
      eventName: "DeleteChannel",
      requestParameters: { arn },
      responseElements: null,
      readOnly: false,
    });
    const visible = (name: string) => seen.find((s) => s.eventName === name);
    expect(visible("UpdateChannel")?.channels).toContain(arn);
    expect(visible("DeleteStreamKey")?.streamKeys).not.toContain(streamKey?.arn);
    expect(visible("CreateStreamKey")?.streamKeys).toContain(created.streamKey?.arn);
    expect(visible("DeleteChannel")?.channels).not.toContain(arn);
    // A consumer refetching on the event reads the new state.
    await expectIvsError(h.ivs.send(new GetChannelCommand({ arn })), "ResourceNotFoundException", 404);
  });

  it("TagResource and UntagResource record the ARN from the path and the tags or keys", async () => {
    const { channel } = await h.ivs.send(new CreateChannelCommand({}));
    const resourceArn = channel?.arn as string;
    await h.control("DELETE", "/events");
    const tagged = await h.ivs.send(new TagResourceCommand({ resourceArn, tags: { a: "1", b: "2" } }));
    expect(await only(h, tagged)).toMatchObject({
      eventName: "TagResource",
      requestParameters: { resourceArn, tags: { a: "1", b: "2" } },
      responseElements: null,
    });
    const untagged = await h.ivs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["a"] }));
    expect(await only(h, untagged)).toMatchObject({
      eventName: "UntagResource",
      requestParameters: { resourceArn, tagKeys: ["a"] },
      responseElements: null,
    });
  });

  it("recording configurations, playback key pairs, restriction policies and ad configurations", async () => {
    const rc = await h.ivs.send(
      new CreateRecordingConfigurationCommand({
        name: "vods",
        destinationConfiguration: { s3: { bucketName: "vod-bucket" } },
      }),
    );
    expect(await only(h, rc)).toMatchObject({
      eventName: "CreateRecordingConfiguration",
      requestParameters: { name: "vods", destinationConfiguration: { s3: { bucketName: "vod-bucket" } } },
      responseElements: {
        recordingConfiguration: { arn: rc.recordingConfiguration?.arn, state: "CREATING" },
      },
    });
    const rcArn = rc.recordingConfiguration?.arn;
    const rcDeleted = await h.ivs.send(new DeleteRecordingConfigurationCommand({ arn: rcArn }));
    expect(await only(h, rcDeleted)).toMatchObject({
      eventName: "DeleteRecordingConfiguration",
      requestParameters: { arn: rcArn },
      responseElements: null,
    });

    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    const publicKeyMaterial = publicKey.export({ type: "spki", format: "pem" }).toString();
    const kp = await h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, name: "kp" }));
    expect(await only(h, kp)).toEqual(
      expect.objectContaining({
        eventName: "ImportPlaybackKeyPair",
        requestParameters: { publicKeyMaterial, name: "kp" },
        responseElements: { keyPair: { ...kp.keyPair } },
      }),
    );

    const policy = await h.ivs.send(new CreatePlaybackRestrictionPolicyCommand({ allowedCountries: ["US"] }));
    const policyArn = policy.playbackRestrictionPolicy?.arn;
    await h.control("DELETE", "/events");
    const policyUpdated = await h.ivs.send(
      new UpdatePlaybackRestrictionPolicyCommand({ arn: policyArn, allowedOrigins: ["https://a.example"] }),
    );
    expect(await only(h, policyUpdated)).toMatchObject({
      eventName: "UpdatePlaybackRestrictionPolicy",
      requestParameters: { arn: policyArn, allowedOrigins: ["https://a.example"] },
      responseElements: { playbackRestrictionPolicy: { ...policyUpdated.playbackRestrictionPolicy } },
    });

    const emt = `arn:aws:mediatailor:${REGION}:${ACCOUNT}:playbackConfiguration/x`;
    const ads = await h.ivs.send(
      new CreateAdConfigurationCommand({
        mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: emt }],
      }),
    );
    await h.control("DELETE", "/events");
    const adsUpdated = await h.ivs.send(
      new UpdateAdConfigurationCommand({ arn: ads.adConfiguration?.arn, name: "ads" }),
    );
    expect(await only(h, adsUpdated)).toMatchObject({
      eventName: "UpdateAdConfiguration",
      requestParameters: { arn: ads.adConfiguration?.arn, name: "ads" },
      responseElements: { adConfiguration: { ...adsUpdated.adConfiguration, name: "ads" } },
    });
  });

  it("PutMetadata and StopStream on a live channel; the metadata is hidden", async () => {
    const { channel } = await h.ivs.send(new CreateChannelCommand({}));
    const channelArn = channel?.arn as string;
    h.emulator.broadcasts.start({ channelArn });
    await h.control("DELETE", "/events");
    const metadata = `secret-metadata-${uniqueName("m")}`;
    const put = await h.ivs.send(new PutMetadataCommand({ channelArn, metadata }));
    const record = await only(h, put);
    expect(record).toMatchObject({
      eventName: "PutMetadata",
      requestParameters: { channelArn, metadata: HIDDEN },
      responseElements: null,
    });
    expect(JSON.stringify(record)).not.toContain(metadata);
    const stopped = await h.ivs.send(new StopStreamCommand({ channelArn }));
    const events = await h.control<{ events: IvsEvent[] }>("GET", "/events");
    // StopStream's own stream events come first: the record follows the state change.
    expect(events.body.events.at(-1)?.detail).toMatchObject({
      eventName: "StopStream",
      requestID: stopped.$metadata.requestId,
      requestParameters: { channelArn },
      responseElements: null,
    });
    expect(JSON.stringify(h.emulator.bus.emitted())).not.toContain(metadata);
  });

  it("names the IAM user after the SigV4 access key id, or ANONYMOUS_PRINCIPAL when unsigned", async () => {
    const send = (authorization?: string) =>
      fetch(`${h.emulator.url}/CreateChannel`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "terraform/1.9",
          ...(authorization ? { authorization } : {}),
        },
        body: "{}",
      });
    const signed = await send(
      "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE12345/20240909/us-west-2/ivs/aws4_request, SignedHeaders=host, Signature=00",
    );
    expect(signed.status).toBe(200);
    await send();
    const [a, b] = (await trail(h)).map((e) => e.detail);
    expect(a).toMatchObject({
      userAgent: "terraform/1.9",
      requestParameters: null,
      requestID: signed.headers.get("x-amzn-requestid"),
      userIdentity: {
        accessKeyId: "AKIAEXAMPLE12345",
        userName: "AKIAEXAMPLE12345",
        arn: `arn:aws:iam::${ACCOUNT}:user/AKIAEXAMPLE12345`,
      },
    });
    expect(b?.userIdentity).toMatchObject({ accessKeyId: "ANONYMOUS_PRINCIPAL", userName: "anonymous" });
    const principal = (d?: Record<string, unknown>) =>
      (d?.userIdentity as { principalId?: string })?.principalId;
    expect(principal(a)).not.toBe(principal(b));
  });

  it("emits nothing for reads and for failed writes: validation, 404, 409, throttling, injected faults", async () => {
    const { channel, streamKey } = await h.ivs.send(new CreateChannelCommand({}));
    const arn = channel?.arn as string;
    await h.control("DELETE", "/events");
    await h.ivs.send(new GetChannelCommand({ arn }));
    await h.ivs.send(new ListChannelsCommand({}));
    await h.ivs.send(new BatchGetChannelCommand({ arns: [arn] }));
    await h.ivs.send(new GetStreamKeyCommand({ arn: streamKey?.arn }));
    await h.ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }));

    await expectIvsError(
      h.ivs.send(new CreateChannelCommand({ name: "x".repeat(200) })),
      "ValidationException",
      400,
    );
    await expectIvsError(
      h.ivs.send(new UpdateChannelCommand({ arn: missingArn("channel"), name: "n" })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new CreateStreamKeyCommand({ channelArn: arn })),
      "ServiceQuotaExceededException",
      402,
    );
    goLive(h.emulator, arn);
    await expectIvsError(h.ivs.send(new DeleteChannelCommand({ arn })), "ConflictException", 409);
    h.emulator.store.streams.delete(arn);

    await h.control("PUT", "/quotas", { enabled: true, rates: { TagResource: 0.5 } });
    await expectIvsError(
      h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { a: "1" } })),
      "ThrottlingException",
      429,
    );
    await h.control("PUT", "/quotas", { enabled: false, rates: {} });
    await h.control("PUT", "/faults", { errorRate: 1, operations: ["DeleteChannel"] });
    const fault = await h.ivs.send(new DeleteChannelCommand({ arn })).catch((e: unknown) => e);
    await h.control("PUT", "/faults", { errorRate: 0, operations: [] });
    expect(
      (fault as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode,
    ).toBeGreaterThanOrEqual(500);

    expect(await trail(h)).toEqual([]);
    // The same write, now allowed, is recorded: the checks above could have seen one.
    await h.ivs.send(new DeleteChannelCommand({ arn }));
    expect((await trail(h)).map((e) => e.detail.eventName)).toEqual(["DeleteChannel"]);
  });
});

describe("the CloudTrail switch", () => {
  const h = useEmulator();

  it("GET/PUT /_emulator/cloudtrail reads and toggles it at runtime", async () => {
    expect(await h.control("GET", "/cloudtrail")).toEqual({ status: 200, body: { enabled: true } });
    expect(await h.control("PUT", "/cloudtrail", { enabled: false })).toEqual({
      status: 200,
      body: { enabled: false },
    });
    expect((await h.control("GET", "/cloudtrail")).body).toEqual({ enabled: false });
    await h.ivs.send(new CreateChannelCommand({}));
    expect(await trail(h)).toEqual([]);
    expect((await h.control("PUT", "/cloudtrail", { enabled: "no" })).status).toBe(400);
    expect((await h.control("PUT", "/cloudtrail", { enabled: true, extra: 1 })).status).toBe(400);
    expect(h.emulator.cloudTrail.enabled).toBe(false);
    await h.control("PUT", "/cloudtrail", { enabled: true });
    const out = await h.ivs.send(new CreateChannelCommand({}));
    expect((await trail(h)).map((e) => e.detail.requestID)).toEqual([out.$metadata.requestId]);
  });
});

describe("the CloudTrail switch at start", () => {
  const off = useEmulator({ cloudTrailEvents: false });

  it("cloudTrailEvents: false starts with it off; the route turns it on", async () => {
    expect((await off.control("GET", "/cloudtrail")).body).toEqual({ enabled: false });
    await off.ivs.send(new CreateChannelCommand({}));
    expect(await trail(off)).toEqual([]);
    await off.control("PUT", "/cloudtrail", { enabled: true });
    await off.ivs.send(new CreateChannelCommand({}));
    expect(await trail(off)).toHaveLength(1);
  });

  it("--cloudtrail-events and IVS_EMULATOR_CLOUDTRAIL_EVENTS set it; the flag wins", async () => {
    expect(optionsFromCli([], {}).cloudTrailEvents).toBeUndefined();
    expect(optionsFromCli([], { IVS_EMULATOR_CLOUDTRAIL_EVENTS: "false" }).cloudTrailEvents).toBe(false);
    expect(
      optionsFromCli(["--cloudtrail-events", "on"], { IVS_EMULATOR_CLOUDTRAIL_EVENTS: "0" }).cloudTrailEvents,
    ).toBe(true);
    expect(() => optionsFromCli([], { IVS_EMULATOR_CLOUDTRAIL_EVENTS: "maybe" })).toThrow(
      /IVS_EMULATOR_CLOUDTRAIL_EVENTS/,
    );
    const emulator = createEmulator({
      ...optionsFromCli(["--port", "0"], { IVS_EMULATOR_CLOUDTRAIL_EVENTS: "off" }),
      quotas: { enabled: false },
    });
    await emulator.start();
    try {
      const res = await fetch(`${emulator.url}/CreateChannel`, { method: "POST", body: "{}" });
      expect(res.status).toBe(200);
      expect(emulator.bus.emitted()).toEqual([]);
      emulator.cloudTrail.enabled = true;
      await fetch(`${emulator.url}/CreateChannel`, { method: "POST", body: "{}" });
      expect(emulator.bus.emitted().map((e) => e["detail-type"])).toEqual([CLOUDTRAIL_DETAIL_TYPE]);
    } finally {
      await emulator.stop();
    }
  });
});

describe("CloudTrail events on their way to an HTTP target", () => {
  const h = useEmulator({ events: { retry: { baseDelayMs: 5 } } });
  let sink: EventSink;
  beforeAll(async () => {
    sink = await startEventSink();
    await h.control("POST", "/event-targets", { url: sink.url });
  });
  afterEach(() => h.control("PUT", "/event-faults", { duplicateRate: 0 }));
  afterAll(() => sink.close());

  it("are POSTed like IVS events, with the same faults, and a consumer refetching sees the change", async () => {
    const { channel, streamKey } = await h.ivs.send(new CreateChannelCommand({ name: "one" }));
    const arn = channel?.arn as string;
    await h.control("PUT", "/event-faults", { duplicateRate: 1 });
    const updated = await h.ivs.send(new UpdateChannelCommand({ arn, name: "two" }));
    await h.emulator.delivery.idle();
    const got = sink.delivered().filter((e) => e["detail-type"] === CLOUDTRAIL_DETAIL_TYPE);
    expect(got.map((e) => e.detail.eventName)).toEqual(["CreateChannel", "UpdateChannel", "UpdateChannel"]);
    expect(got[1]).toEqual(got[2]);
    expect(got[1]?.detail.requestID).toBe(updated.$metadata.requestId);
    expect(got.map((e) => e.id)).toEqual(
      (await trail(h)).flatMap((e, i) => (i === 1 ? [e.id, e.id] : [e.id])),
    );
    const onEvent = (got[1]?.detail.responseElements as { channel?: { arn?: string } })?.channel?.arn;
    expect((await h.ivs.send(new GetChannelCommand({ arn: onEvent }))).channel?.name).toBe("two");
    const json = JSON.stringify(sink.requests.map((r) => r.event));
    expect(json).not.toContain(streamKey?.value);
    expect(json).not.toContain(channel?.srt?.passphrase);
  });
});

describe("recorded(): the model decides what is hidden", () => {
  const model: ServiceModel = {
    operations: {},
    shapes: {
      Req: {
        type: "structure",
        members: { items: { shape: "List" }, byName: { shape: "Map" }, at: { shape: "Time" } },
      },
      List: { type: "list", member: "Item" },
      Map: { type: "map", key: "Name", value: "Item" },
      Item: { type: "structure", members: { name: { shape: "Name" }, code: { shape: "Code" } } },
      Name: { type: "string" },
      Code: { type: "string", sensitive: true },
      Time: { type: "timestamp" },
    },
  };

  it("hides sensitive shapes at any depth, drops members the model does not know, writes dates as ISO", () => {
    const at = new Date("2024-09-09T16:17:26.123Z");
    expect(
      recorded(model, "Req", {
        items: [{ name: "a", code: "s1" }, { name: "b" }],
        byName: { x: { name: "x", code: "s2", internal: "s3" } },
        at,
        extra: "s4",
      }),
    ).toEqual({
      items: [{ name: "a", code: HIDDEN }, { name: "b" }],
      byName: { x: { name: "x", code: HIDDEN } },
      at: "2024-09-09T16:17:26.123Z",
    });
  });
});
