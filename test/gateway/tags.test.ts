import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryAuditLog } from "../../src/audit/log.ts";
import { ValidationError } from "../../src/errors.ts";
import type { JobRunner } from "../../src/jobs/runner.ts";
import type { LiveHub } from "../../src/live/live-hub.ts";
import { createLoaders } from "../../src/loaders/index.ts";
import { resourceTags, tagResource, tagsRequest } from "../../src/resolvers/tags.ts";
import { type GatewayHarness, useGateway } from "./harness.ts";
import { TEST_PRINCIPAL } from "./test-auth.ts";

const RESULT = `__typename
    ... on ResourceTags { arn tags { key value } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on NotFoundError { missingArn: arn }`;
const TAG = `mutation ($input: TagResourceInput!) { tagResource(input: $input) { ${RESULT} } }`;
const UNTAG = `mutation ($input: UntagResourceInput!) { untagResource(input: $input) { ${RESULT} } }`;
const TAGS = `query ($arn: String!) { tags(arn: $arn) { key value } }`;
const MISSING = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";

type Result = Record<string, unknown> & { __typename: string };

async function mutate(h: GatewayHarness, query: string, input: Record<string, unknown>): Promise<Result> {
  const res = await h.gql<Record<string, Result>>(query, { input });
  expect(res.errors).toBeUndefined();
  return Object.values(res.data ?? {})[0] as Result;
}

const sorted = (tags: unknown) => [...(tags as { key: string }[])].sort((a, b) => a.key.localeCompare(b.key));

describe("tags", () => {
  const h = useGateway();
  let channelArn: string;
  let configArn: string;
  beforeEach(async () => {
    const channel = await h.ivs.send(new CreateChannelCommand({ tags: { team: "video" } }));
    channelArn = channel.channel?.arn as string;
    const rc = await h.ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: "tag-bucket" } },
      }),
    );
    configArn = rc.recordingConfiguration?.arn as string;
    await h.resetCounts();
  });

  it("tags a channel and returns all its tags with its ARN", async () => {
    const result = await mutate(h, TAG, {
      arn: channelArn,
      tags: [
        { key: "env", value: "prod" },
        { key: "team", value: "live" },
      ],
    });
    expect(result.__typename).toBe("ResourceTags");
    expect(result.arn).toBe(channelArn);
    expect(sorted(result.tags)).toEqual([
      { key: "env", value: "prod" },
      { key: "team", value: "live" },
    ]);
    const stored = await h.ivs.send(new ListTagsForResourceCommand({ resourceArn: channelArn }));
    expect(stored.tags).toEqual({ env: "prod", team: "live" });
  });

  it("shows new tags on the node's own tags field", async () => {
    await mutate(h, TAG, { arn: configArn, tags: [{ key: "cost-center", value: "42" }] });
    const res = await h.gql(
      `query ($arn: String!) { recordingConfiguration(arn: $arn) { tags { key value } } }`,
      {
        arn: configArn,
      },
    );
    expect(res.data).toEqual({ recordingConfiguration: { tags: [{ key: "cost-center", value: "42" }] } });
  });

  it("untags by key, ignoring keys the resource lacks", async () => {
    await mutate(h, TAG, { arn: channelArn, tags: [{ key: "env", value: "prod" }] });
    const result = await mutate(h, UNTAG, { arn: channelArn, tagKeys: ["team", "never-set"] });
    expect(result).toEqual({
      __typename: "ResourceTags",
      arn: channelArn,
      tags: [{ key: "env", value: "prod" }],
    });
  });

  it("reads the tags of any resource by ARN from the mirror; null when it does not exist", async () => {
    expect((await h.gql(TAGS, { arn: channelArn })).data).toEqual({
      tags: [{ key: "team", value: "video" }],
    });
    expect((await h.gql(TAGS, { arn: configArn })).data).toEqual({ tags: [] });
    expect((await h.gql(TAGS, { arn: MISSING })).data).toEqual({ tags: null });
    // Mirrored resources' tags cost nothing; the missing channel was asked for once (BatchGetChannel).
    expect(h.count("ListTagsForResource")).toBe(0);
    expect(h.count("BatchGetChannel")).toBe(1);
    expect((await h.gql(TAGS, { arn: "arn:aws:ivs:us-west-2:123456789012:unknown/abc" })).data).toEqual({
      tags: null,
    });
    expect(h.count("ListTagsForResource")).toBe(0);
  });

  it("returns NotFoundError when tagging or untagging a missing resource", async () => {
    expect(await mutate(h, TAG, { arn: MISSING, tags: [{ key: "a", value: "b" }] })).toMatchObject({
      __typename: "NotFoundError",
      missingArn: MISSING,
    });
    expect(await mutate(h, UNTAG, { arn: MISSING, tagKeys: ["a"] })).toMatchObject({
      __typename: "NotFoundError",
    });
  });

  it("refuses bad input naming the field, without calling IVS", async () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const cases: [string, Record<string, unknown>, string][] = [
      [TAG, { arn: "arn:aws:ivs:us-west-2:123456789012:nothing/x", tags: [] }, "input.arn"],
      [TAG, { arn: channelArn, tags: [{ key: "k".repeat(129), value: "v" }] }, "input.tags.key"],
      [TAG, { arn: channelArn, tags: [{ key: "ok", value: "bad\u0000value" }] }, "input.tags.ok"],
      [TAG, { arn: channelArn, tags: tooMany }, "input.tags"],
      [
        TAG,
        {
          arn: channelArn,
          tags: [
            { key: "a", value: "1" },
            { key: "a", value: "2" },
          ],
        },
        "input.tags[1].key",
      ],
      [UNTAG, { arn: "bad", tagKeys: ["a"] }, "input.arn"],
      [UNTAG, { arn: channelArn, tagKeys: [""] }, "input.tagKeys[0]"],
    ];
    for (const [query, input, field] of cases)
      expect(await mutate(h, query, input), field).toMatchObject({ __typename: "ValidationError", field });
    expect(h.count("TagResource")).toBe(0);
    expect(h.count("UntagResource")).toBe(0);
  });

  it("passes on IVS's refusal of a 51st tag on a resource as a ValidationError", async () => {
    const fifty = Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect(await mutate(h, TAG, { arn: channelArn, tags: fifty })).toMatchObject({
      __typename: "ResourceTags",
    });
    expect(await mutate(h, TAG, { arn: channelArn, tags: [{ key: "one-more", value: "v" }] })).toMatchObject({
      __typename: "ValidationError",
      message: expect.stringContaining("at most 50 tags"),
    });
    expect(h.count("TagResource")).toBe(2);
  });
});

describe("tag resolvers, called without GraphQL", () => {
  const h = useGateway();
  // These resolvers never touch the live hub.
  const context = () => {
    const live = {} as LiveHub;
    const mirror = h.mirror.mirror;
    const loaders = createLoaders(mirror, live, async () => []);
    // No job runs here: these resolvers never reach for one.
    return {
      ivs: h.ivs,
      mirror,
      loaders,
      live,
      principal: TEST_PRINCIPAL,
      jobs: {} as JobRunner,
      requestId: "tags-test",
      audit: memoryAuditLog(),
    };
  };

  it("turn a tag list into IVS's map, refusing a repeated key by its position", () => {
    expect(
      tagsRequest([
        { key: "a", value: "1" },
        { key: "b", value: "" },
      ]),
    ).toEqual({ a: "1", b: "" });
    expect(tagsRequest(null)).toBeUndefined();
    expect(() =>
      tagsRequest([
        { key: "a", value: "1" },
        { key: "a", value: "2" },
      ]),
    ).toThrow(expect.objectContaining({ name: "ValidationError", field: "input.tags[1].key" }));
  });

  it("tag a resource and read its tags back", async () => {
    const out = await h.ivs.send(new CreateChannelCommand({}));
    const arn = out.channel?.arn as string;
    const ctx = context();
    expect(await tagResource(ctx, { input: { arn, tags: [{ key: "x", value: "y" }] } })).toEqual({
      arn,
      tags: [{ key: "x", value: "y" }],
    });
    expect(await resourceTags(ctx, { arn })).toEqual([{ key: "x", value: "y" }]);
    await expect(tagResource(ctx, { input: { arn: "nope", tags: [] } })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
