import { CreateChannelCommand, paginateListAdConfigurations } from "@aws-sdk/client-ivs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GatewayHarness, useGateway } from "./harness.ts";

const FIELDS = `id arn name tags { key value }
  mediaTailorPlaybackConfigurations { playbackConfigurationArn }
  postRollConfiguration { enabled durationSeconds }`;
const ERRORS = `... on Error { message retriable }
    ... on ValidationError { field }
    ... on NotFoundError { missingArn: arn }
    ... on ChannelNotBroadcastingError { channelArn }`;

const CREATE = `mutation ($input: CreateAdConfigurationInput!) {
  createAdConfiguration(input: $input) { __typename ... on AdConfiguration { ${FIELDS} } ${ERRORS} }
}`;
const UPDATE = `mutation ($input: UpdateAdConfigurationInput!) {
  updateAdConfiguration(input: $input) { __typename ... on AdConfiguration { ${FIELDS} } ${ERRORS} }
}`;
const DELETE = `mutation ($arn: String!) {
  deleteAdConfiguration(input: { arn: $arn }) {
    __typename ... on DeleteAdConfigurationPayload { deletedId arn } ${ERRORS}
  }
}`;
const INSERT = `mutation ($input: InsertAdBreakInput!) {
  insertAdBreak(input: $input) {
    __typename ... on AdBreak { adBreakId adChannelArn: channelArn durationSeconds channel { arn } } ${ERRORS}
  }
}`;
const GET = `query ($arn: String!) { adConfiguration(arn: $arn) { ${FIELDS} } }`;

const MT = (name: string) => ({
  playbackConfigurationArn: `arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/${name}`,
});
const MISSING = "arn:aws:ivs:us-west-2:123456789012:ad-configuration/missing00000";

type Result = Record<string, unknown> & { __typename: string };

async function mutate(h: GatewayHarness, query: string, variables: Record<string, unknown>): Promise<Result> {
  const res = await h.gql<Record<string, Result>>(query, variables);
  expect(res.errors).toBeUndefined();
  return Object.values(res.data ?? {})[0] as Result;
}

const create = (h: GatewayHarness, input: Record<string, unknown> = {}) =>
  mutate(h, CREATE, { input: { mediaTailorPlaybackConfigurations: [MT("default")], ...input } });

describe("ad configurations", () => {
  const h = useGateway();
  beforeEach(() => h.resetCounts());

  it("creates a configuration with the documented post-roll default", async () => {
    const config = await create(h, { tags: [{ key: "k", value: "v" }] });
    expect(config).toMatchObject({
      __typename: "AdConfiguration",
      arn: expect.stringMatching(/:ad-configuration\//),
      name: "",
      mediaTailorPlaybackConfigurations: [MT("default")],
      postRollConfiguration: { enabled: false, durationSeconds: 15 },
      tags: [{ key: "k", value: "v" }],
    });
    const { __typename, ...fields } = config;
    expect((await h.gql(GET, { arn: config.arn })).data).toEqual({ adConfiguration: fields });
    const node = await h.gql(`query ($id: ID!) { node(id: $id) { ... on AdConfiguration { arn } } }`, {
      id: config.id,
    });
    expect(node.data).toEqual({ node: { arn: config.arn } });
  });

  it("answers null for a missing or malformed ARN", async () => {
    expect((await h.gql(GET, { arn: MISSING })).data).toEqual({ adConfiguration: null });
    expect((await h.gql(GET, { arn: "arn:aws:ivs:us-west-2:1:ad-configuration/" })).data).toEqual({
      adConfiguration: null,
    });
    expect(h.count("GetAdConfiguration")).toBe(1);
  });

  it("refuses bad input naming the field, without calling IVS", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ mediaTailorPlaybackConfigurations: [] }, "input.mediaTailorPlaybackConfigurations"],
      [
        { mediaTailorPlaybackConfigurations: [MT("a"), MT("b"), MT("c"), MT("d")] },
        "input.mediaTailorPlaybackConfigurations",
      ],
      [
        { mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: "arn:aws:s3:::bucket" }] },
        "input.mediaTailorPlaybackConfigurations[0].playbackConfigurationArn",
      ],
      [{ name: "white space" }, "input.name"],
    ];
    for (const [input, field] of cases)
      expect(await create(h, input), field).toMatchObject({ __typename: "ValidationError", field });
    expect(h.count("CreateAdConfiguration")).toBe(0);
  });

  it("updates only the members given", async () => {
    const config = await create(h, { name: "before" });
    const updated = await mutate(h, UPDATE, {
      input: { arn: config.arn, postRollConfiguration: { enabled: true, durationSeconds: 30 } },
    });
    expect(updated).toMatchObject({
      name: "before",
      mediaTailorPlaybackConfigurations: [MT("default")],
      postRollConfiguration: { enabled: true, durationSeconds: 30 },
    });
    const renamed = await mutate(h, UPDATE, {
      input: { arn: config.arn, name: "after", mediaTailorPlaybackConfigurations: [MT("x"), MT("y")] },
    });
    expect(renamed).toMatchObject({
      name: "after",
      mediaTailorPlaybackConfigurations: [MT("x"), MT("y")],
      postRollConfiguration: { enabled: true, durationSeconds: 30 },
    });
    expect(await mutate(h, UPDATE, { input: { arn: MISSING, name: "x" } })).toMatchObject({
      __typename: "NotFoundError",
      missingArn: MISSING,
    });
  });

  it("pages through every configuration in IVS's order", async () => {
    for (let i = 0; i < 5; i++) await create(h);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res: { data?: { adConfigurations: Connection } } = await h.gql(
        `query ($after: String) { adConfigurations(first: 3, after: $after) {
          edges { node { arn } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const conn = res.data?.adConfigurations as Connection;
      expect(conn.edges.length).toBeLessThanOrEqual(3);
      seen.push(...conn.edges.map((e) => e.node.arn));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
    const all: string[] = [];
    for await (const page of paginateListAdConfigurations({ client: h.ivs }, {}))
      all.push(...(page.adConfigurations ?? []).map((a) => a.arn as string));
    expect(all.length).toBeGreaterThanOrEqual(5);
    // The mirror pages in ARN order.
    expect(seen).toEqual([...all].sort());
  });

  it("lists the channels inserting ads with it", async () => {
    const config = await create(h);
    const out = await h.ivs.send(new CreateChannelCommand({ adConfigurationArn: config.arn as string }));
    await h.ivs.send(new CreateChannelCommand({}));
    const res = await h.gql(
      `query ($arn: String!) { adConfiguration(arn: $arn) { channels(first: 10) { edges { node { arn adConfigurationArn } } } } }`,
      { arn: config.arn },
    );
    expect(res.data).toEqual({
      adConfiguration: {
        channels: { edges: [{ node: { arn: out.channel?.arn, adConfigurationArn: config.arn } }] },
      },
    });
  });

  it("deletes a configuration; ConflictError while a channel uses it; NotFoundError once gone", async () => {
    const used = await create(h);
    await h.ivs.send(new CreateChannelCommand({ adConfigurationArn: used.arn as string }));
    expect(await mutate(h, DELETE, { arn: used.arn })).toMatchObject({ __typename: "ConflictError" });

    const config = await create(h);
    expect(await mutate(h, DELETE, { arn: config.arn })).toEqual({
      __typename: "DeleteAdConfigurationPayload",
      deletedId: config.id,
      arn: config.arn,
    });
    expect(await mutate(h, DELETE, { arn: config.arn })).toMatchObject({
      __typename: "NotFoundError",
      missingArn: config.arn,
    });
  });
});

describe("insertAdBreak", () => {
  const h = useGateway();
  let channelArn: string;
  beforeEach(async () => {
    const config = await create(h);
    const out = await h.ivs.send(new CreateChannelCommand({ adConfigurationArn: config.arn as string }));
    channelArn = out.channel?.arn as string;
    await h.resetCounts();
  });
  afterEach(() => h.emulator.setFaults({ throttleRate: 0, operations: undefined }));

  it("returns ChannelNotBroadcastingError for an offline channel", async () => {
    expect(await mutate(h, INSERT, { input: { channelArn, durationSeconds: 30 } })).toMatchObject({
      __typename: "ChannelNotBroadcastingError",
      channelArn,
    });
  });

  it("inserts an ad break into a live channel", async () => {
    h.emulator.broadcasts.start(channelArn);
    expect(await mutate(h, INSERT, { input: { channelArn, durationSeconds: 30 } })).toEqual({
      __typename: "AdBreak",
      adBreakId: expect.stringMatching(/^[a-zA-Z0-9]{12}$/),
      adChannelArn: channelArn,
      durationSeconds: 30,
      channel: { arn: channelArn },
    });
  });

  it("returns ConflictError for a channel without an ad configuration, NotFoundError for none", async () => {
    const plain = await h.ivs.send(new CreateChannelCommand({}));
    const arn = plain.channel?.arn as string;
    expect(await mutate(h, INSERT, { input: { channelArn: arn, durationSeconds: 30 } })).toMatchObject({
      __typename: "ConflictError",
    });
    const missing = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";
    expect(await mutate(h, INSERT, { input: { channelArn: missing, durationSeconds: 30 } })).toMatchObject({
      __typename: "NotFoundError",
      missingArn: missing,
    });
  });

  it("refuses a duration outside 1–300 s without calling IVS", async () => {
    for (const durationSeconds of [0, 301])
      expect(await mutate(h, INSERT, { input: { channelArn, durationSeconds } })).toMatchObject({
        __typename: "ValidationError",
        field: "input.durationSeconds",
      });
    expect(h.count("InsertAdBreak")).toBe(0);
  });

  it("returns a retriable ThrottledError when IVS throttles", async () => {
    h.emulator.setFaults({ throttleRate: 1, operations: ["InsertAdBreak"] });
    expect(await mutate(h, INSERT, { input: { channelArn, durationSeconds: 30 } })).toMatchObject({
      __typename: "ThrottledError",
      retriable: true,
    });
  });
});

interface Connection {
  edges: { node: { arn: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
