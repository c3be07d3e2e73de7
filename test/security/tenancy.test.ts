import {
  CreateRecordingConfigurationCommand,
  GetChannelCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { beforeAll, describe, expect, it } from "vitest";
import { API_KEY, until, useSecureGateway } from "./harness.ts";

const h = useSecureGateway();
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
const forbidden = (value: unknown) => JSON.stringify(value).includes('"FORBIDDEN"');

let own = { arn: "", keyArn: "" };
let foreign = { arn: "", keyArn: "" };
let acme: Record<string, string> = {};

beforeAll(async () => {
  own = await h.channelWithKey("acme-main", "acme");
  foreign = await h.channelWithKey("globex-main", "globex");
  acme = h.bearer(
    await h.mint({ scope: "ivs:read ivs:write ivs:secrets", tenant: "acme", sub: "acme-user" }),
  );
});

describe("a tenant cannot see another tenant's channel", () => {
  it("lists only its own channels", async () => {
    const res = await h.post<{
      channels: { edges: { node: { arn: string; tags: { key: string; value: string }[] } }[] };
    }>("{ channels(first: 100) { edges { node { arn tags { key value } } } } }", {}, acme);
    const arns = res.body.data?.channels.edges.map((e) => e.node.arn) ?? [];
    expect(arns).toContain(own.arn);
    expect(arns).not.toContain(foreign.arn);
    for (const edge of res.body.data?.channels.edges ?? [])
      expect(edge.node.tags).toContainEqual({ key: "tenant", value: "acme" });
  });

  it("gets null for its ARN, its key's ARN, its stream, its sessions and its tags", async () => {
    const res = await h.post(
      `query ($arn: String!, $key: String!) {
        channel(arn: $arn) { arn } streamKey(arn: $key) { arn value } stream(channelArn: $arn) { streamId }
        streamSession(channelArn: $arn) { streamId } tags(arn: $arn) { key }
      }`,
      { arn: foreign.arn, key: foreign.keyArn },
      acme,
    );
    expect(res.body).toEqual({
      data: { channel: null, streamKey: null, stream: null, streamSession: null, tags: null },
    });
    const mine = await h.post(`query ($arn: String!) { channel(arn: $arn) { arn } }`, { arn: own.arn }, acme);
    expect(mine.body.data).toEqual({ channel: { arn: own.arn } });
  });

  it("gets null for its global ids, the channel's and the key's", async () => {
    const res = await h.post(
      "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
      {
        ids: [
          globalId("Channel", foreign.arn),
          globalId("StreamKey", foreign.keyArn),
          globalId("Channel", own.arn),
        ],
      },
      acme,
    );
    expect(res.body).toEqual({ data: { nodes: [null, null, { id: globalId("Channel", own.arn) }] } });
  });

  it("sees only its own live streams", async () => {
    await h.control("/broadcasts/start", { channelArn: own.arn });
    await h.control("/broadcasts/start", { channelArn: foreign.arn });
    try {
      const res = await h.post<{ streams: { edges: { node: { channelArn: string } }[] } }>(
        "{ streams(first: 100) { edges { node { channelArn } } } }",
        {},
        acme,
      );
      expect(res.body.data?.streams.edges.map((e) => e.node.channelArn)).toEqual([own.arn]);
    } finally {
      await h.control("/broadcasts/end", { channelArn: own.arn });
      await h.control("/broadcasts/end", { channelArn: foreign.arn });
    }
  });

  it("sees only its own channels among a shared configuration's", async () => {
    const rc = await h.gateway.ivs.send(
      new CreateRecordingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: "shared" } } }),
    );
    const rcArn = rc.recordingConfiguration?.arn as string;
    for (const arn of [own.arn, foreign.arn])
      await h.gateway.ivs.send(new UpdateChannelCommand({ arn, recordingConfigurationArn: rcArn }));
    // Changed behind the gateway's back: it learns of it from the CloudTrail events.
    await h.delivered();
    const res = await h.post(
      "query ($arn: String!) { recordingConfiguration(arn: $arn) { channels { edges { node { arn } } } } }",
      { arn: rcArn },
      acme,
    );
    expect(res.body.data).toEqual({
      recordingConfiguration: { channels: { edges: [{ node: { arn: own.arn } }] } },
    });
  });

  it("applies to API keys limited to a tenant", async () => {
    const res = await h.post(
      `query ($arn: String!) { channel(arn: $arn) { arn } }`,
      { arn: foreign.arn },
      {
        "x-api-key": API_KEY,
      },
    );
    expect(res.body).toEqual({ data: { channel: null } });
  });
});

describe("a tenant cannot change another tenant's channel", () => {
  it("is refused every mutation by ARN, and the channel is untouched", async () => {
    const arn = foreign.arn;
    const mutations = [
      `updateChannel(input: { arn: "${arn}", name: "pwned" }) { __typename }`,
      `deleteChannel(input: { arn: "${arn}" }) { __typename }`,
      `createStreamKey(input: { channelArn: "${arn}" }) { __typename }`,
      `deleteStreamKey(input: { arn: "${foreign.keyArn}" }) { __typename }`,
      `stopStream(input: { channelArn: "${arn}" }) { __typename }`,
      `putMetadata(input: { channelArn: "${arn}", metadata: "x" }) { __typename }`,
      `insertAdBreak(input: { channelArn: "${arn}", durationSeconds: 30 }) { __typename }`,
      `tagResource(input: { arn: "${arn}", tags: [{ key: "tenant", value: "acme" }] }) { __typename }`,
      `untagResource(input: { arn: "${arn}", tagKeys: ["tenant"] }) { __typename }`,
      `createPlaybackToken(input: { channelArn: "${arn}" }) { __typename }`,
    ];
    for (const m of mutations) {
      const res = await h.post(`mutation { ${m} }`, {}, acme);
      expect(forbidden(res.body), m).toBe(true);
      expect(res.body.data, m).toBeNull();
    }
    const after = await h.gateway.ivs.send(new GetChannelCommand({ arn }));
    expect(after.channel).toMatchObject({ name: "globex-main", tags: { tenant: "globex" } });
  });

  it("cannot move its own channel to another tenant, nor untag it", async () => {
    for (const m of [
      `tagResource(input: { arn: "${own.arn}", tags: [{ key: "tenant", value: "globex" }] }) { __typename }`,
      `untagResource(input: { arn: "${own.arn}", tagKeys: ["tenant"] }) { __typename }`,
    ])
      expect(forbidden((await h.post(`mutation { ${m} }`, {}, acme)).body), m).toBe(true);
    const other = await h.post(
      `mutation { tagResource(input: { arn: "${own.arn}", tags: [{ key: "team", value: "live" }] }) { __typename } }`,
      {},
      acme,
    );
    expect(other.body.data).toEqual({ tagResource: { __typename: "ResourceTags" } });
  });

  it("creates channels in its own tenant only", async () => {
    const res = await h.post<{ createChannel: { channel: { tags: { key: string; value: string }[] } } }>(
      `mutation { createChannel(input: { name: "acme-new" }) { ... on CreateChannelPayload { channel { tags { key value } } } } }`,
      {},
      acme,
    );
    expect(res.body.data?.createChannel.channel.tags).toContainEqual({ key: "tenant", value: "acme" });
    const other = await h.post(
      `mutation { createChannel(input: { name: "sneaky", tags: [{ key: "tenant", value: "globex" }] }) { __typename ... on ValidationError { field } } }`,
      {},
      acme,
    );
    expect(other.body.data).toEqual({
      createChannel: { __typename: "ValidationError", field: "input.tags[0].value" },
    });
  });

  it("cannot change account-wide configurations shared with other tenants", async () => {
    const res = await h.post(
      `mutation { createRecordingConfiguration(input: { destinationConfiguration: { s3: { bucketName: "b" } } }) { __typename } }`,
      {},
      acme,
    );
    expect(forbidden(res.body)).toBe(true);
  });
});

describe("a tenant cannot subscribe to another tenant's channel", () => {
  const LIVE = "subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn status } }";
  const EVENTS = `subscription ($filter: StreamEventsFilter) { streamEvents(filter: $filter) {
    ... on IvsEventFields { channelArn } ... on StreamStateEvent { eventName } } }`;

  it("is refused at the start, by ARN or by filter, as if the channel did not exist (WebSocket)", async () => {
    const { client } = h.ws(acme);
    for (const [query, variables] of [
      [LIVE, { arns: [foreign.arn] }],
      [LIVE, { arns: [own.arn, foreign.arn] }],
      [EVENTS, { filter: { channelArns: [foreign.arn] } }],
    ] as const) {
      const run = await h.wsRun(client, query, variables);
      expect(run.text).toContain(`No such channel: ${foreign.arn}`);
      expect(run.text).not.toContain('"status"');
    }
  });

  it("is refused at the start over SSE too", async () => {
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...acme },
      body: JSON.stringify({ query: LIVE, variables: { arns: [foreign.arn] } }),
    });
    const text = await res.text();
    expect(text).toContain("No such channel");
    expect(text).not.toContain("OFFLINE");
  });

  it("receives only its own channels' events from an unfiltered subscription (each event checked)", async () => {
    const { client } = h.ws(acme);
    const seen: string[] = [];
    const dispose = client.subscribe(
      { query: EVENTS },
      { next: (r) => void seen.push(JSON.stringify(r)), error: () => {}, complete: () => {} },
    );
    await new Promise((r) => setTimeout(r, 200));
    await h.control("/broadcasts/start", { channelArn: foreign.arn });
    await h.control("/broadcasts/start", { channelArn: own.arn });
    await until(() => seen.some((s) => s.includes(own.arn)), 8000);
    await h.control("/broadcasts/end", { channelArn: foreign.arn });
    await h.control("/broadcasts/end", { channelArn: own.arn });
    await until(() => seen.filter((s) => s.includes(own.arn)).length >= 2, 8000);
    dispose();
    expect(seen.join("\n")).not.toContain(foreign.arn);
    // Dropped, not delivered as errors: a tenant does not even learn that another channel had an event.
    expect(seen.filter((r) => r.includes('"errors"'))).toEqual([]);
  });
});

describe("logs", () => {
  it("hold none of the secrets used above", async () => {
    expect(await h.leaks()).toEqual([]);
  });
});
