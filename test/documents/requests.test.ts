import { ListChannelsCommand } from "@aws-sdk/client-ivs";
import type { Client as WsClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../frontends/gateway.ts";
import {
  apolloManifest,
  DOCUMENTS,
  firstResult,
  get,
  IDS,
  post,
  startWithDocuments,
  tempDir,
  wsClient,
} from "./gateway.ts";

/*
 * Two real gateways: `strict` with TRUSTED_DOCUMENTS_ONLY (an Apollo manifest), `open` with the same
 * documents as a hash map (relay-compiler / Codegen format) and arbitrary documents still allowed.
 */

const temp = tempDir();
let strict: TestGateway;
let open: TestGateway;
const clients: WsClient[] = [];
const variables = { first: 10 };

beforeAll(async () => {
  const apollo = temp.write("persisted-query-manifest.json", apolloManifest());
  const hashMap = temp.write("persisted-documents.json", {
    [IDS.channels]: DOCUMENTS.channels,
    [IDS.live]: DOCUMENTS.live,
  });
  [strict, open] = await Promise.all([
    startWithDocuments({ TRUSTED_DOCUMENTS: apollo, TRUSTED_DOCUMENTS_ONLY: "true" }),
    startWithDocuments({ TRUSTED_DOCUMENTS: hashMap }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await strict?.stop();
  await open?.stop();
  temp.dispose();
});

/** The names of the channels in a Channels result. */
function names(body: { data?: unknown }): string[] {
  const data = body.data as { channels: { edges: { node: { name: string } }[] } } | undefined;
  return (data?.channels.edges ?? []).map((e) => e.node.name).sort();
}
const DEMO = ["demo-idle", "demo-live", "demo-recorded", "demo-restricted"];

function ws(gw: TestGateway): WsClient {
  const client = wsClient(gw);
  clients.push(client);
  return client;
}

describe("requests by id, in each client's shape (only-mode)", () => {
  it("Relay: POST { doc_id, variables }", async () => {
    const { status, body } = await post(strict, { doc_id: IDS.channels, variables });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(names(body)).toEqual(DEMO);
  });

  it("Relay: POST { id, variables }", async () => {
    const { body } = await post(strict, { id: IDS.channels, variables });
    expect(names(body)).toEqual(DEMO);
  });

  it("GraphQL over HTTP draft: POST { documentId } and GET ?documentId= / ?doc_id=", async () => {
    expect(names((await post(strict, { documentId: IDS.channels, variables })).body)).toEqual(DEMO);
    expect(names((await get(strict, { documentId: IDS.channels, variables })).body)).toEqual(DEMO);
    expect(names((await get(strict, { doc_id: IDS.channels, variables })).body)).toEqual(DEMO);
  });

  it("Apollo: extensions.persistedQuery.sha256Hash by POST and by GET", async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: IDS.channels } };
    const byPost = await post(strict, { operationName: "Channels", variables, extensions });
    expect(byPost.body.errors).toBeUndefined();
    expect(names(byPost.body)).toEqual(DEMO);
    const byGet = await get(strict, { operationName: "Channels", variables, extensions });
    expect(byGet.status).toBe(200);
    expect(names(byGet.body)).toEqual(DEMO);
  });

  it("a manifest document sent in full runs too: it is as trusted as its id", async () => {
    const { status, body } = await post(strict, { query: DOCUMENTS.channels, variables });
    expect(status).toBe(200);
    expect(names(body)).toEqual(DEMO);
  });
});

describe("only-mode refuses every other document, and runs nothing", () => {
  it("refuses an arbitrary mutation with an error naming TRUSTED_DOCUMENTS_ONLY; no channel is created", async () => {
    const name = `untrusted-${Date.now()}`;
    const { status, body } = await post(strict, {
      query: `mutation { createChannel(input: { name: "${name}" }) { __typename } }`,
    });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.message).toMatch(/trusted documents only \(TRUSTED_DOCUMENTS_ONLY\)/);
    expect(body.errors?.[0]?.extensions?.code).toBe("DOCUMENT_NOT_TRUSTED");
    const listed = await strict.gateway.ivs.send(new ListChannelsCommand({ maxResults: 100 }));
    expect(listed.channels?.map((c) => c.name)).toEqual(expect.arrayContaining(DEMO));
    expect(listed.channels?.map((c) => c.name)).not.toContain(name);
  });

  it("refuses a document that differs from a trusted one by a single field, and by GET too", async () => {
    const edited = DOCUMENTS.channels.replace("name arn", "name arn playbackUrl");
    const byPost = await post(strict, { query: edited, variables });
    expect(byPost.body.errors?.[0]?.extensions?.code).toBe("DOCUMENT_NOT_TRUSTED");
    const byGet = await get(strict, { query: edited, variables });
    expect(byGet.status).toBe(400);
    expect(byGet.body.errors?.[0]?.extensions?.code).toBe("DOCUMENT_NOT_TRUSTED");
  });

  it("refuses introspection (GraphiQL's schema query): it is not in the manifest", async () => {
    const { body } = await post(strict, { query: "{ __schema { queryType { name } } }" });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe("DOCUMENT_NOT_TRUSTED");
  });

  it("an unknown id: PersistedQueryNotFound, PERSISTED_QUERY_NOT_IN_LIST", async () => {
    const { body } = await post(strict, { doc_id: "0".repeat(64), variables });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toBe(
      `PersistedQueryNotFound: TRUSTED_DOCUMENTS has no document with the id "${"0".repeat(64)}"`,
    );
    expect(body.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
  });

  it("neither a document nor an id: a clear 400", async () => {
    const { status, body } = await post(strict, { variables });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^Send a document \(query\) or the id of a trusted document/);
  });
});

describe("without only-mode, ids and arbitrary documents both run", () => {
  it("runs an arbitrary document, and a manifest id in each shape", async () => {
    const arbitrary = await post(open, { query: "{ channels(first: 10) { edges { node { name } } } }" });
    expect(arbitrary.body.errors).toBeUndefined();
    expect(names(arbitrary.body)).toEqual(DEMO);
    expect(names((await post(open, { doc_id: IDS.channels, variables })).body)).toEqual(DEMO);
    expect(names((await get(open, { documentId: IDS.channels, variables })).body)).toEqual(DEMO);
    const extensions = { persistedQuery: { version: 1, sha256Hash: IDS.channels } };
    expect(names((await get(open, { variables, extensions })).body)).toEqual(DEMO);
  });

  it("an unknown id: PERSISTED_QUERY_NOT_FOUND, on which Apollo's APQ link resends the document, which runs", async () => {
    const text = "query Mine { channels(first: 10) { edges { node { name } } } }";
    const extensions = { persistedQuery: { version: 1, sha256Hash: "f".repeat(64) } };
    const miss = await get(open, { variables: {}, extensions });
    // 200, as APQ servers answer a miss: Apollo's link reads the errors and retries.
    expect(miss.status).toBe(200);
    expect(miss.body.data).toBeUndefined();
    expect(miss.body.errors?.[0]?.message).toMatch(/^PersistedQueryNotFound: /);
    expect(miss.body.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const retry = await post(open, { query: text, variables: {}, extensions });
    expect(retry.body.errors).toBeUndefined();
    expect(names(retry.body)).toEqual(DEMO);
  });

  it("a document sent with an id param is run as a document (not refused as an unknown param)", async () => {
    const { body } = await post(open, { query: DOCUMENTS.channels, doc_id: "whatever", variables });
    expect(body.errors).toBeUndefined();
    expect(names(body)).toEqual(DEMO);
  });
});

describe("graphql-ws is held to the same manifest", () => {
  it("only-mode refuses a subscription document outside the manifest", async () => {
    const arns = [strict.demoChannels["demo-live"]];
    const result = await firstResult(ws(strict), {
      query: "subscription Mine($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn isLive } }",
      variables: { arns },
    });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/TRUSTED_DOCUMENTS_ONLY/);
    expect(result.errors?.[0]?.extensions?.code).toBe("DOCUMENT_NOT_TRUSTED");
  });

  it("only-mode refuses an arbitrary query over the socket too", async () => {
    const result = await firstResult(ws(strict), { query: "{ __typename }" });
    expect(result.errors?.[0]?.extensions?.code).toBe("DOCUMENT_NOT_TRUSTED");
  });

  it("only-mode runs the manifest's subscription by id (empty query + extensions.persistedQuery, or documentId)", async () => {
    const arn = strict.demoChannels["demo-live"];
    const byHash = await firstResult(ws(strict), {
      query: "",
      variables: { arns: [arn] },
      extensions: { persistedQuery: { version: 1, sha256Hash: IDS.live } },
    });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual({ channelLiveStatus: { channelArn: arn, status: "LIVE" } });
    const byDocumentId = await firstResult(ws(strict), {
      query: "",
      documentId: IDS.live,
      variables: { arns: [arn] },
    });
    expect(byDocumentId.data).toEqual({ channelLiveStatus: { channelArn: arn, status: "LIVE" } });
  });

  it("only-mode runs the manifest's subscription sent in full; an unknown id is PersistedQueryNotFound", async () => {
    const arn = strict.demoChannels["demo-live"];
    const full = await firstResult(ws(strict), { query: DOCUMENTS.live, variables: { arns: [arn] } });
    expect(full.data).toEqual({ channelLiveStatus: { channelArn: arn, status: "LIVE" } });
    const unknown = await firstResult(ws(strict), {
      query: "",
      documentId: "nope",
      variables: { arns: [arn] },
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
  });

  it("without only-mode, the socket runs ids and arbitrary documents", async () => {
    const arn = open.demoChannels["demo-live"];
    const byId = await firstResult(ws(open), { query: "", doc_id: IDS.live, variables: { arns: [arn] } });
    expect(byId.data).toEqual({ channelLiveStatus: { channelArn: arn, status: "LIVE" } });
    const arbitrary = await firstResult(ws(open), { query: "{ __typename }" });
    expect(arbitrary.data).toEqual({ __typename: "Query" });
  });
});

describe("SSE subscriptions (HTTP) by id", () => {
  /** The first `next` event of a GET subscription, read off the stream. */
  async function firstEvent(gw: TestGateway, params: Record<string, string>): Promise<unknown> {
    const res = await gw.authFetch(`${gw.endpoint}?${new URLSearchParams(params)}`, {
      headers: { accept: "text/event-stream" },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        const data = /event: next\ndata: (.*)\n/.exec(text)?.[1];
        if (data) return JSON.parse(data);
        if (res.status !== 200) break;
      }
    } finally {
      await reader.cancel();
    }
    return { status: res.status, text };
  }

  it("only-mode streams the manifest's subscription by documentId, and refuses another document", async () => {
    const arn = strict.demoChannels["demo-live"] ?? "";
    const variables = JSON.stringify({ arns: [arn] });
    expect(await firstEvent(strict, { documentId: IDS.live, variables })).toEqual({
      data: { channelLiveStatus: { channelArn: arn, status: "LIVE" } },
    });
    const refused = await firstEvent(strict, {
      query: "subscription Mine($arns: [String!]!) { channelLiveStatus(arns: $arns) { status } }",
      variables,
    });
    expect(JSON.stringify(refused)).toContain("DOCUMENT_NOT_TRUSTED");
  });
});
