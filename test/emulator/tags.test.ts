import { generateKeyPairSync } from "node:crypto";
import {
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  GetChannelCommand,
  ImportPlaybackKeyPairCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { ACCOUNT, expectIvsError, missingArn, REGION } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator();

const listTags = async (resourceArn: string) =>
  (await h.ivs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
const newChannelArn = async (tags?: Record<string, string>) =>
  (await h.ivs.send(new CreateChannelCommand({ tags }))).channel?.arn as string;

/** One resource of every taggable type, each created with tag `created: yes`. */
async function oneOfEach(): Promise<Record<string, string>> {
  const tags = { created: "yes" };
  const channel = await h.ivs.send(new CreateChannelCommand({ tags }));
  const rc = await h.ivs.send(
    new CreateRecordingConfigurationCommand({
      destinationConfiguration: { s3: { bucketName: "tagged" } },
      tags,
    }),
  );
  const key = generateKeyPairSync("ec", { namedCurve: "secp384r1" })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();
  const pair = await h.ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: key, tags }));
  const policy = await h.ivs.send(new CreatePlaybackRestrictionPolicyCommand({ tags }));
  const ads = await h.ivs.send(
    new CreateAdConfigurationCommand({
      tags,
      mediaTailorPlaybackConfigurations: [
        { playbackConfigurationArn: `arn:aws:mediatailor:${REGION}:${ACCOUNT}:playbackConfiguration/t` },
      ],
    }),
  );
  return {
    channel: channel.channel?.arn as string,
    // The auto-created key does not inherit the channel's tags (our choice; the service's is unverified).
    "stream-key": channel.streamKey?.arn as string,
    "recording-configuration": rc.recordingConfiguration?.arn as string,
    "playback-key": pair.keyPair?.arn as string,
    "playback-restriction-policy": policy.playbackRestrictionPolicy?.arn as string,
    "ad-configuration": ads.adConfiguration?.arn as string,
  };
}

describe("tags on every taggable resource", () => {
  it("tags, lists and untags each resource type", async () => {
    const arns = await oneOfEach();
    for (const [type, arn] of Object.entries(arns)) {
      const before = type === "stream-key" ? {} : { created: "yes" };
      expect(await listTags(arn), type).toEqual(before);
      const tagged = await h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { added: type } }));
      expect(tagged.$metadata.httpStatusCode).toBe(200);
      expect(await listTags(arn), type).toEqual({ ...before, added: type });
      const untagged = await h.ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["added"] }));
      expect(untagged.$metadata.httpStatusCode).toBe(200);
      expect(await listTags(arn), type).toEqual(before);
    }
  });

  it("shows tag changes on the resource itself", async () => {
    const arn = await newChannelArn();
    await h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { visible: "on-get" } }));
    const { channel } = await h.ivs.send(new GetChannelCommand({ arn }));
    expect(channel?.tags).toEqual({ visible: "on-get" });
  });
});

describe("TagResource", () => {
  it("merges: overwrites given keys and keeps the others", async () => {
    const arn = await newChannelArn({ a: "1", b: "2" });
    await h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { b: "two", c: "3" } }));
    expect(await listTags(arn)).toEqual({ a: "1", b: "two", c: "3" });
  });

  it("allows 50 tags in total and rejects the 51st, leaving the tags unchanged", async () => {
    const forty = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "v"]));
    const arn = await newChannelArn(forty);
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`m${i}`, "v"]));
    await h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: ten }));
    expect(Object.keys((await listTags(arn)) ?? {})).toHaveLength(50);
    // Overwriting an existing key does not add to the count.
    await h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { k0: "again" } }));
    await expectIvsError(
      h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { oneMore: "v" } })),
      "ValidationException",
      400,
      "tags",
      "50",
    );
    const after = await listTags(arn);
    expect(Object.keys(after ?? {})).toHaveLength(50);
    expect(after?.oneMore).toBeUndefined();
  });

  it("rejects more than 50 tags in one request, and invalid keys and values", async () => {
    const arn = await newChannelArn();
    const tag = (tags: Record<string, string>) =>
      h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags }));
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    await expectIvsError(tag(many), "ValidationException", 400, "tags");
    await expectIvsError(tag({ "bad*key": "v" }), "ValidationException", 400, "tags");
    await expectIvsError(tag({ ["k".repeat(129)]: "v" }), "ValidationException", 400, "tags");
    await expectIvsError(tag({ ok: "v".repeat(257) }), "ValidationException", 400, "tags");
    await expectIvsError(
      h.ivs.send(new TagResourceCommand({ resourceArn: arn } as never)),
      "ValidationException",
      400,
      "tags",
    );
  });

  it("accepts unicode letters and the allowed punctuation", async () => {
    const arn = await newChannelArn();
    const tags = { "équipe vidéo": "Zürich", "a_b.c:d/e=f+g-h@i": "" };
    await h.ivs.send(new TagResourceCommand({ resourceArn: arn, tags }));
    expect(await listTags(arn)).toEqual(tags);
  });
});

describe("UntagResource", () => {
  it("removes keys with spaces and ignores keys the resource does not have", async () => {
    const arn = await newChannelArn({ "cost center": "42", "my key": "x", keep: "me" });
    await h.ivs.send(
      new UntagResourceCommand({ resourceArn: arn, tagKeys: ["cost center", "my key", "never set"] }),
    );
    expect(await listTags(arn)).toEqual({ keep: "me" });
  });

  it("rejects a request without keys or with more than 50", async () => {
    const arn = await newChannelArn();
    await expectIvsError(
      h.ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [] })),
      "ValidationException",
      400,
      "tagKeys",
    );
    const keys = Array.from({ length: 51 }, (_, i) => `k${i}`);
    await expectIvsError(
      h.ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: keys })),
      "ValidationException",
      400,
      "tagKeys",
    );
  });
});

describe("resource ARNs in the path", () => {
  it("decodes the percent-encoded ARN segment the SDK sends", async () => {
    const arn = await newChannelArn({ wire: "ok" });
    const res = await fetch(`${h.emulator.url}/tags/${encodeURIComponent(arn)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tags: { wire: "ok" } });
    expect(encodeURIComponent(arn)).toContain("%2F");
  });

  it("404s for ARNs that name nothing, on all three operations", async () => {
    for (const type of ["channel", "stream-key", "playback-key", "ad-configuration"]) {
      const resourceArn = missingArn(type);
      await expectIvsError(
        h.ivs.send(new ListTagsForResourceCommand({ resourceArn })),
        "ResourceNotFoundException",
        404,
        resourceArn,
      );
      await expectIvsError(
        h.ivs.send(new TagResourceCommand({ resourceArn, tags: { a: "b" } })),
        "ResourceNotFoundException",
        404,
      );
      await expectIvsError(
        h.ivs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["a"] })),
        "ResourceNotFoundException",
        404,
      );
    }
  });

  it("400s for ARNs that are not IVS resource ARNs", async () => {
    for (const resourceArn of [
      `arn:aws:ivs:${REGION}:${ACCOUNT}:widget/abc`,
      `arn:aws:s3:::bucket/${"x".repeat(10)}`,
      "x".repeat(129),
    ])
      await expectIvsError(
        h.ivs.send(new ListTagsForResourceCommand({ resourceArn })),
        "ValidationException",
        400,
        "resourceArn",
      );
  });
});
