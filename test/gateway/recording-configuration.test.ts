import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  GetRecordingConfigurationCommand,
  paginateListRecordingConfigurations,
  type RecordingConfiguration,
} from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { asResource } from "../../src/mirror/changes.ts";
import { type GatewayHarness, useGateway } from "./harness.ts";

const FIELDS = `id arn name state tags { key value }
  destinationConfiguration { s3 { bucketName } }
  thumbnailConfiguration { recordingMode targetIntervalSeconds resolution storage }
  recordingReconnectWindowSeconds
  renditionConfiguration { renditionSelection renditions }`;

const CREATE = `mutation ($input: CreateRecordingConfigurationInput!) {
  createRecordingConfiguration(input: $input) {
    __typename
    ... on RecordingConfiguration { ${FIELDS} }
    ... on Error { message retriable }
    ... on ValidationError { field }
  }
}`;

const DELETE = `mutation ($arn: String!) {
  deleteRecordingConfiguration(input: { arn: $arn }) {
    __typename
    ... on DeleteRecordingConfigurationPayload { deletedId arn }
    ... on Error { message }
    ... on NotFoundError { missingArn: arn }
    ... on ValidationError { field }
  }
}`;

const GET = `query ($arn: String!) { recordingConfiguration(arn: $arn) { ${FIELDS} } }`;

type Result = Record<string, unknown> & { __typename: string };
const MISSING = "arn:aws:ivs:us-west-2:123456789012:recording-configuration/missing00000";

async function create(h: GatewayHarness, input: Record<string, unknown> = {}): Promise<Result> {
  const res = await h.gql<{ createRecordingConfiguration: Result }>(CREATE, {
    input: { destinationConfiguration: { s3: { bucketName: "gateway-recordings" } }, ...input },
  });
  expect(res.errors).toBeUndefined();
  return res.data?.createRecordingConfiguration as Result;
}

describe("recording configurations", () => {
  const h = useGateway({ limits: { recordingConfigurations: 1000 } });
  beforeEach(() => h.resetCounts());

  it("creates a configuration and returns all of it, CREATING at first", async () => {
    const rc = await create(h, {
      name: "full",
      tags: [{ key: "env", value: "test" }],
      thumbnailConfiguration: { resolution: "HD", storage: ["SEQUENTIAL", "LATEST"] },
      recordingReconnectWindowSeconds: 30,
      renditionConfiguration: { renditionSelection: "CUSTOM", renditions: ["HD"] },
    });
    expect(rc).toMatchObject({
      __typename: "RecordingConfiguration",
      arn: expect.stringMatching(/^arn:aws:ivs:us-west-2:123456789012:recording-configuration\//),
      name: "full",
      state: "CREATING",
      tags: [{ key: "env", value: "test" }],
      destinationConfiguration: { s3: { bucketName: "gateway-recordings" } },
      thumbnailConfiguration: {
        recordingMode: "INTERVAL",
        targetIntervalSeconds: 60,
        resolution: "HD",
        storage: ["SEQUENTIAL", "LATEST"],
      },
      recordingReconnectWindowSeconds: 30,
      renditionConfiguration: { renditionSelection: "CUSTOM", renditions: ["HD"] },
    });
    expect(h.count("CreateRecordingConfiguration")).toBe(1);
  });

  it("looks one up by ARN and by global id, and answers null for a missing one", async () => {
    const rc = await create(h, { name: "lookup" });
    const byArn = await h.gql<{ recordingConfiguration: Result }>(GET, { arn: rc.arn });
    expect(byArn.data?.recordingConfiguration).toMatchObject({ id: rc.id, arn: rc.arn, state: "ACTIVE" });

    const byId = await h.gql<{ node: Result }>(
      `query ($id: ID!) { node(id: $id) { __typename id ... on RecordingConfiguration { arn name } } }`,
      { id: rc.id },
    );
    expect(byId.data?.node).toEqual({
      __typename: "RecordingConfiguration",
      id: rc.id,
      arn: rc.arn,
      name: "lookup",
    });

    const nodes = await h.gql<{ nodes: (Result | null)[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: [rc.id, Buffer.from(`RecordingConfiguration:${MISSING}`).toString("base64")] },
    );
    expect(nodes.data?.nodes).toEqual([{ id: rc.id }, null]);

    const missing = await h.gql(GET, { arn: MISSING });
    expect(missing).toEqual({ data: { recordingConfiguration: null } });
  });

  it("answers null for a malformed ARN without asking IVS", async () => {
    const res = await h.gql(GET, { arn: "arn:aws:ivs:us-west-2:123456789012:channel/notAConfig" });
    expect(res).toEqual({ data: { recordingConfiguration: null } });
    expect(h.count("GetRecordingConfiguration")).toBe(0);
  });

  it("reports bad input as a ValidationError naming the field, without calling IVS", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { destinationConfiguration: { s3: { bucketName: "No_Such" } } },
        "input.destinationConfiguration.s3.bucketName",
      ],
      [{ name: "has spaces" }, "input.name"],
      [{ recordingReconnectWindowSeconds: 301 }, "input.recordingReconnectWindowSeconds"],
      [
        { thumbnailConfiguration: { targetIntervalSeconds: 0 } },
        "input.thumbnailConfiguration.targetIntervalSeconds",
      ],
      [
        { renditionConfiguration: { renditionSelection: "CUSTOM" } },
        "input.renditionConfiguration.renditions",
      ],
      [
        {
          tags: [
            { key: "a", value: "1" },
            { key: "a", value: "2" },
          ],
        },
        "input.tags[1].key",
      ],
    ];
    for (const [input, field] of cases) {
      const result = await create(h, input);
      expect(result, field).toMatchObject({ __typename: "ValidationError", field });
    }
    expect(h.count("CreateRecordingConfiguration")).toBe(0);
  });

  it("pages through every configuration with first/after, in ARN order", async () => {
    for (let i = 0; i < 5; i++) await create(h, { name: `page-${i}` });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: { data?: { recordingConfigurations: Connection } } = await h.gql(
        `query ($after: String) { recordingConfigurations(first: 2, after: $after) {
          edges { cursor node { arn } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const conn = res.data?.recordingConfigurations as Connection;
      expect(conn.edges.length).toBeLessThanOrEqual(2);
      seen.push(...conn.edges.map((e) => e.node.arn));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 50);
    const all: string[] = [];
    for await (const page of paginateListRecordingConfigurations({ client: h.ivs }, {}))
      all.push(...(page.recordingConfigurations ?? []).map((rc) => rc.arn as string));
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual([...all].sort());
    expect(pages).toBe(Math.ceil(all.length / 2));
  });

  it("caps a page at 100 edges however many are asked for", async () => {
    for (let i = 0; i < 101; i++)
      await h.ivs.send(
        new CreateRecordingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: "bulk-bucket" } },
        }),
      );
    const res = await h.gql<{ recordingConfigurations: Connection }>(
      `{ recordingConfigurations(first: 500) { edges { node { arn } } pageInfo { hasNextPage } } }`,
    );
    expect(res.data?.recordingConfigurations.edges).toHaveLength(100);
    expect(res.data?.recordingConfigurations.pageInfo.hasNextPage).toBe(true);
  });

  it("upgrades a configuration the mirror holds only a list summary of, once, for full-only fields", async () => {
    // Made where no event tells the gateway, then seen by a list page only (as during a crawl whose
    // GetRecordingConfiguration has not come yet).
    h.emulator.cloudTrail.enabled = false;
    let arn = "";
    try {
      const out = await h.ivs.send(
        new CreateRecordingConfigurationCommand({
          name: "summary-only",
          destinationConfiguration: { s3: { bucketName: "sum-bucket" } },
        }),
      );
      arn = out.recordingConfiguration?.arn as string;
    } finally {
      h.emulator.cloudTrail.enabled = true;
    }
    const full = (await h.ivs.send(new GetRecordingConfigurationCommand({ arn })))
      .recordingConfiguration as RecordingConfiguration;
    const {
      thumbnailConfiguration: _t,
      recordingReconnectWindowSeconds: _r,
      renditionConfiguration: _c,
      ...summary
    } = full;
    h.mirror.mirror.record({
      op: "put",
      kind: "recording-configuration",
      part: "summary",
      at: Date.now(),
      items: [asResource(summary)],
    });
    await h.resetCounts();
    const LIST = `query ($after: String) { recordingConfigurations(first: 100, after: $after) {
      edges { node { arn name recordingReconnectWindowSeconds } } pageInfo { hasNextPage endCursor } } }`;
    // Earlier tests leave over 100 configurations, and ARNs are random: the new one may be on any page.
    const find = async () => {
      let after: string | null = null;
      for (;;) {
        const answer: { data?: { recordingConfigurations: Connection } } = await h.gql(LIST, { after });
        const conn = answer.data?.recordingConfigurations;
        const found = conn?.edges.map((e) => e.node).find((n) => n.arn === arn);
        if (found || !conn?.pageInfo.hasNextPage) return found;
        after = conn.pageInfo.endCursor;
      }
    };
    expect(await find()).toEqual({ arn, name: "summary-only", recordingReconnectWindowSeconds: 0 });
    expect(h.count("GetRecordingConfiguration")).toBe(1);
    // Read once, mirrored since.
    expect(await find()).toEqual({ arn, name: "summary-only", recordingReconnectWindowSeconds: 0 });
    expect(h.count("GetRecordingConfiguration")).toBe(1);
    expect(h.count("ListRecordingConfigurations")).toBe(0);
  });

  it("answers summary and full-only fields from the mirror, with no IVS call", async () => {
    await create(h, { name: "upgrade" });
    await h.resetCounts();
    await h.gql(`{ recordingConfigurations(first: 3) { edges { node { arn name state tags { key } } } } }`);

    const res = await h.gql<{ recordingConfigurations: Connection }>(
      `{ recordingConfigurations(first: 3) { edges { node {
          arn thumbnailConfiguration { recordingMode } recordingReconnectWindowSeconds
          renditionConfiguration { renditionSelection } } } } }`,
    );
    const nodes = res.data?.recordingConfigurations.edges.map((e) => e.node) ?? [];
    expect(nodes).toHaveLength(3);
    for (const node of nodes)
      expect(node).toMatchObject({
        thumbnailConfiguration: { recordingMode: "INTERVAL" },
        recordingReconnectWindowSeconds: expect.any(Number),
        renditionConfiguration: { renditionSelection: expect.any(String) },
      });
    expect(h.count("ListRecordingConfigurations")).toBe(0);
    expect(h.count("GetRecordingConfiguration")).toBe(0);
  });

  it("lists the channels recording with it, page by page", async () => {
    const rc = await create(h);
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await h.ivs.send(new CreateChannelCommand({ recordingConfigurationArn: rc.arn as string }));
      arns.push(out.channel?.arn as string);
    }
    await h.ivs.send(new CreateChannelCommand({}));
    const CHANNELS = `query ($arn: String!, $after: String) { recordingConfiguration(arn: $arn) {
      channels(first: 2, after: $after) { edges { node { arn recordingConfigurationArn } } pageInfo { hasNextPage endCursor } } } }`;
    type Page = { recordingConfiguration: { channels: Connection } };
    const one = (await h.gql<Page>(CHANNELS, { arn: rc.arn })).data?.recordingConfiguration
      .channels as Connection;
    expect(one.pageInfo.hasNextPage).toBe(true);
    const after = one.pageInfo.endCursor;
    const two = (await h.gql<Page>(CHANNELS, { arn: rc.arn, after })).data?.recordingConfiguration
      .channels as Connection;
    expect(two.pageInfo.hasNextPage).toBe(false);
    const nodes = [...one.edges, ...two.edges].map((e) => e.node);
    expect(nodes.map((n) => n.arn)).toEqual(arns.sort());
    for (const node of nodes) expect(node.recordingConfigurationArn).toBe(rc.arn);
  });

  it("answers lookups of one configuration from the mirror", async () => {
    const rc = await create(h);
    await h.resetCounts();
    const res = await h.gql(
      `query ($arn: String!) { a: recordingConfiguration(arn: $arn) { name } b: recordingConfiguration(arn: $arn) { state } }`,
      { arn: rc.arn },
    );
    expect(res.errors).toBeUndefined();
    expect(h.count("GetRecordingConfiguration")).toBe(0);
  });

  it("deletes a configuration, returning its ARN and global id", async () => {
    const rc = await create(h);
    const res = await h.gql<{ deleteRecordingConfiguration: Result }>(DELETE, { arn: rc.arn });
    expect(res.data?.deleteRecordingConfiguration).toEqual({
      __typename: "DeleteRecordingConfigurationPayload",
      deletedId: rc.id,
      arn: rc.arn,
    });
    expect((await h.gql(GET, { arn: rc.arn })).data).toEqual({ recordingConfiguration: null });

    const again = await h.gql<{ deleteRecordingConfiguration: Result }>(DELETE, { arn: rc.arn });
    expect(again.data?.deleteRecordingConfiguration).toMatchObject({
      __typename: "NotFoundError",
      missingArn: rc.arn,
    });
  });

  it("refuses to delete a configuration a channel uses (ConflictError)", async () => {
    const rc = await create(h);
    await h.ivs.send(new CreateChannelCommand({ recordingConfigurationArn: rc.arn as string }));
    const res = await h.gql<{ deleteRecordingConfiguration: Result }>(DELETE, { arn: rc.arn });
    expect(res.data?.deleteRecordingConfiguration).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining("is used by channel"),
    });
  });

  it("rejects a malformed ARN on delete without calling IVS", async () => {
    const res = await h.gql<{ deleteRecordingConfiguration: Result }>(DELETE, { arn: "nope" });
    expect(res.data?.deleteRecordingConfiguration).toMatchObject({
      __typename: "ValidationError",
      field: "input.arn",
    });
    expect(h.count("DeleteRecordingConfiguration")).toBe(0);
  });

  it("returns ThrottledError when IVS throttles", async () => {
    h.emulator.setFaults({ throttleRate: 1, operations: ["CreateRecordingConfiguration"] });
    try {
      expect(await create(h)).toMatchObject({ __typename: "ThrottledError", retriable: true });
    } finally {
      h.emulator.setFaults({ throttleRate: 0, operations: undefined });
    }
  });
});

describe("recording configurations at the account quota", () => {
  const h = useGateway({ limits: { recordingConfigurations: 1 } });

  it("returns QuotaExceededError", async () => {
    expect(await create(h)).toMatchObject({ __typename: "RecordingConfiguration" });
    expect(await create(h)).toMatchObject({
      __typename: "QuotaExceededError",
      message: expect.stringContaining("Maximum number of recording configurations"),
    });
  });
});

interface Connection {
  edges: { cursor: string; node: { arn: string; name?: string } & Record<string, unknown> }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
