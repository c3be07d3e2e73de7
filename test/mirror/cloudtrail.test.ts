import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  DeleteChannelCommand,
  IvsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, type IvsEvent } from "../../emulator/index.ts";
import { API_CALL_DETAIL_TYPE, parseApiCall } from "../../src/mirror/cloudtrail.ts";

describe("CloudTrail records of IVS calls, as mirror changes", () => {
  let emulator: Emulator;
  let ivs: IvsClient;
  beforeAll(async () => {
    emulator = createEmulator({ port: 0, quotas: { enabled: false } });
    await emulator.start();
    ivs = new IvsClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: "tool", secretAccessKey: "tool" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    ivs.destroy();
    await emulator.stop();
  });

  /** The CloudTrail event the emulator emitted for the last call, as EventBridge delivers it. */
  const last = (): Record<string, unknown> => {
    const events = emulator.bus.emitted().filter((e: IvsEvent) => e["detail-type"] === API_CALL_DETAIL_TYPE);
    return JSON.parse(JSON.stringify(events.at(-1))) as Record<string, unknown>;
  };

  it("turns a CreateChannel into the channel and its key list, without the secrets CloudTrail hides", async () => {
    const out = await ivs.send(new CreateChannelCommand({ name: "from-cli", tags: { team: "a" } }));
    const parsed = parseApiCall(last());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.eventName).toBe("CreateChannel");
    expect(parsed.requestId).toBe(out.$metadata.requestId);
    const [put, keys] = parsed.changes;
    expect(put).toMatchObject({ op: "put", kind: "channel", part: "full" });
    const channel = put?.op === "put" ? put.items[0] : undefined;
    expect(channel).toMatchObject({ arn: out.channel?.arn, name: "from-cli", tags: { team: "a" } });
    expect(channel?.playbackUrl).toBe(out.channel?.playbackUrl);
    // A hidden secret is unknown, not the placeholder string.
    expect(channel?.srt).toEqual({ endpoint: out.channel?.srt?.endpoint });
    expect(keys).toMatchObject({
      op: "keys",
      lists: [{ channelArn: out.channel?.arn, keys: [{ arn: out.streamKey?.arn }] }],
    });
    const text = JSON.stringify(parsed.changes);
    expect(text).not.toContain(out.streamKey?.value as string);
    expect(text).not.toContain("HIDDEN_DUE_TO_SECURITY_REASONS");
    // The change is stamped with the last moment of the event's second.
    const time = Date.parse(String((last().detail as Record<string, unknown>).eventTime));
    expect(put?.at).toBe(time + 999);
  });

  it("turns updates, tags and deletes into puts, tag deltas and deletions", async () => {
    const arn = (await ivs.send(new CreateChannelCommand({ name: "x" }))).channel?.arn as string;
    await ivs.send(new UpdateChannelCommand({ arn, name: "y" }));
    const update = parseApiCall(last());
    expect(update.ok && update.changes[0]).toMatchObject({
      op: "put",
      kind: "channel",
      items: [{ arn, name: "y" }],
    });
    await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: "prod" } }));
    const tag = parseApiCall(last());
    expect(tag.ok && tag.changes).toEqual([
      { op: "tags", kind: "channel", arn, at: expect.any(Number), set: { env: "prod" } },
    ]);
    await ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["env"] }));
    const untag = parseApiCall(last());
    expect(untag.ok && untag.changes).toEqual([
      { op: "tags", kind: "channel", arn, at: expect.any(Number), remove: ["env"] },
    ]);
    const policy = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ allowedCountries: ["US"] }));
    const created = parseApiCall(last());
    expect(created.ok && created.changes[0]).toMatchObject({
      op: "put",
      kind: "playback-restriction-policy",
      items: [{ arn: policy.playbackRestrictionPolicy?.arn, allowedCountries: ["US"] }],
    });
    await ivs.send(new DeleteChannelCommand({ arn }));
    const deleted = parseApiCall(last());
    expect(deleted.ok && deleted.changes).toEqual([
      { op: "delete", kind: "channel", arns: [arn], at: expect.any(Number) },
    ]);
  });

  it("ignores failed calls and calls that change nothing mirrored, and refuses malformed records", async () => {
    const base = last();
    const detail = base.detail as Record<string, unknown>;
    expect(parseApiCall({ ...base, detail: { ...detail, errorCode: "ConflictException" } })).toMatchObject({
      ok: false,
      malformed: false,
    });
    expect(parseApiCall({ ...base, detail: { ...detail, eventName: "PutMetadata" } })).toMatchObject({
      ok: false,
      malformed: false,
    });
    expect(parseApiCall({ ...base, detail: { ...detail, eventSource: "s3.amazonaws.com" } })).toMatchObject({
      ok: false,
      malformed: false,
    });
    expect(parseApiCall({ ...base, detail: "nope" })).toMatchObject({ ok: false, malformed: true });
    expect(
      parseApiCall({ ...base, detail: { ...detail, eventTime: "yesterday" }, time: "later" }),
    ).toMatchObject({
      ok: false,
      malformed: true,
    });
    // A delete naming a resource of another kind changes nothing.
    expect(
      parseApiCall({
        ...base,
        detail: {
          ...detail,
          eventName: "DeleteChannel",
          requestParameters: { arn: "arn:aws:ivs:us-west-2:123456789012:stream-key/abc" },
        },
      }),
    ).toMatchObject({ ok: false, malformed: false });
  });
});
