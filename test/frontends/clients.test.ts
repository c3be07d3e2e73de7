import { readFileSync } from "node:fs";
import { ApolloClient, gql as apolloGql, HttpLink, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { Client, cacheExchange, fetchExchange, subscriptionExchange, gql as urqlGql } from "@urql/core";
import { buildSchema, isAbstractType } from "graphql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { startGateway, type TestGateway } from "./gateway.ts";

/*
 * Off-the-shelf GraphQL clients, configured as their docs show plus the bearer token, against a gateway with
 * default limits and the demo data.
 */

let gw: TestGateway;
const wsClients: WsClient[] = [];

beforeAll(async () => {
  gw = await startGateway();
}, 60_000);

afterAll(async () => {
  for (const ws of wsClients) await ws.dispose();
  await gw?.stop();
});

function graphqlWs(): WsClient {
  const client = createWsClient({
    url: gw.wsEndpoint,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${gw.token}` },
    retryAttempts: 0,
  });
  wsClients.push(client);
  return client;
}

interface LiveStatus {
  channelArn: string;
  status: "LIVE" | "OFFLINE";
  isLive: boolean;
  version: number;
}

const LIVE_STATUS = `
  subscription LiveStatus($arns: [String!]!) {
    channelLiveStatus(arns: $arns) { channelArn status isLive version }
  }
`;

describe("urql (@urql/core defaults: cacheExchange, fetchExchange, GET for queries)", () => {
  const urql = () =>
    new Client({
      url: gw.endpoint,
      exchanges: [cacheExchange, fetchExchange],
      fetchOptions: () => ({ headers: gw.authHeaders }),
    });

  it("runs a query, sent as GET", async () => {
    const spy = vi.spyOn(globalThis, "fetch");
    try {
      const result = await urql()
        .query(
          urqlGql`
            query UrqlChannels {
              channels(first: 10) { edges { node { id name streamKeys { arn } } } }
            }
          `,
          {},
        )
        .toPromise();
      expect(result.error?.message).toBeUndefined();
      const names = (result.data as { channels: { edges: { node: { name: string } }[] } }).channels.edges.map(
        (e) => e.node.name,
      );
      expect(names).toEqual(expect.arrayContaining(Object.keys(gw.demoChannels)));
      const calls = spy.mock.calls.filter(([input]) => String(input).startsWith(gw.endpoint));
      expect(calls).toHaveLength(1);
      expect(calls[0]?.[1]?.method).toBe("GET");
    } finally {
      spy.mockRestore();
    }
  });

  it("runs mutations (POST): creates a channel, then deletes it", async () => {
    const client = urql();
    const created = await client
      .mutation(
        urqlGql`
          mutation UrqlCreate($input: CreateChannelInput!) {
            createChannel(input: $input) {
              __typename
              ... on CreateChannelPayload { channel { id arn name } streamKey { channelArn } }
              ... on Error { message }
            }
          }
        `,
        { input: { name: `urql-${Date.now()}`, type: "BASIC" } },
      )
      .toPromise();
    expect(created.error?.message).toBeUndefined();
    const payload = (
      created.data as {
        createChannel: {
          __typename: string;
          message?: string;
          channel: { id: string; arn: string; name: string };
          streamKey: { channelArn: string };
        };
      }
    ).createChannel;
    expect(payload.__typename, payload.message).toBe("CreateChannelPayload");
    expect(payload.streamKey.channelArn).toBe(payload.channel.arn);

    const deleted = await client
      .mutation(
        urqlGql`
          mutation UrqlDelete($input: DeleteChannelInput!) {
            deleteChannel(input: $input) {
              __typename
              ... on DeleteChannelPayload { deletedId arn }
              ... on Error { message }
            }
          }
        `,
        { input: { arn: payload.channel.arn } },
      )
      .toPromise();
    expect(deleted.error?.message).toBeUndefined();
    expect(deleted.data).toEqual({
      deleteChannel: {
        __typename: "DeleteChannelPayload",
        deletedId: payload.channel.id,
        arn: payload.channel.arn,
      },
    });
  });

  it("subscribes through subscriptionExchange over graphql-ws", async () => {
    const ws = graphqlWs();
    const client = new Client({
      url: gw.endpoint,
      exchanges: [
        cacheExchange,
        fetchExchange,
        subscriptionExchange({
          forwardSubscription(request) {
            const input = { ...request, query: request.query ?? "" };
            return {
              subscribe(sink) {
                const unsubscribe = ws.subscribe(input, sink);
                return { unsubscribe };
              },
            };
          },
        }),
      ],
      fetchOptions: () => ({ headers: gw.authHeaders }),
    });
    const arn = gw.demoChannels["demo-live"] ?? "";
    const first = await new Promise<{ data?: unknown; error?: Error }>((resolve) => {
      const { unsubscribe } = client
        .subscription(urqlGql(LIVE_STATUS), { arns: [arn] })
        .subscribe((result) => {
          unsubscribe();
          resolve(result);
        });
    });
    expect(first.error?.message).toBeUndefined();
    expect((first.data as { channelLiveStatus: LiveStatus }).channelLiveStatus).toMatchObject({
      channelArn: arn,
      status: "LIVE",
      isLive: true,
    });
  });
});

/** Apollo's possibleTypes for every union and interface, from schema.graphql (what a codegen step emits). */
function possibleTypes(): Record<string, string[]> {
  const schema = buildSchema(readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8"));
  return Object.fromEntries(
    Object.values(schema.getTypeMap())
      .filter(isAbstractType)
      .map((type) => [type.name, schema.getPossibleTypes(type).map((t) => t.name)]),
  );
}

describe("Apollo Client 4 (HttpLink defaults, InMemoryCache)", () => {
  const apollo = () =>
    new ApolloClient({
      link: new HttpLink({ uri: gw.endpoint, headers: gw.authHeaders }),
      cache: new InMemoryCache({ possibleTypes: possibleTypes() }),
    });

  it("runs a query with a fragment, normalized into the cache", async () => {
    const client = apollo();
    const CHANNEL = apolloGql`
      fragment ApolloChannel on Channel {
        id
        arn
        name
        latencyMode
        streamKeys { id arn channelArn }
        recordingConfiguration { id name state }
      }
    `;
    const result = await client.query({
      query: apolloGql`
        query ApolloDashboard {
          channels(first: 20) { edges { node { ...ApolloChannel } } pageInfo { hasNextPage } }
        }
        ${CHANNEL}
      `,
    });
    expect(result.error).toBeUndefined();
    type Channel = {
      id: string;
      arn: string;
      name: string;
      streamKeys: { channelArn: string }[];
      recordingConfiguration: { name: string } | null;
    };
    const channels = (result.data as { channels: { edges: { node: Channel }[] } }).channels.edges.map(
      (e) => e.node,
    );
    for (const [name, arn] of Object.entries(gw.demoChannels)) {
      const channel = channels.find((c) => c.name === name);
      expect(channel?.arn, name).toBe(arn);
      expect(channel?.streamKeys.map((k) => k.channelArn)).toEqual([arn]);
    }
    const recorded = channels.find((c) => c.name === "demo-recorded");
    expect(recorded?.recordingConfiguration?.name).toBe("demo-recordings");
    // Normalized by __typename and id: the fragment reads back from the cache alone.
    const cached = client.readFragment({ id: `Channel:${recorded?.id}`, fragment: CHANNEL });
    expect(cached).toMatchObject({ name: "demo-recorded", arn: gw.demoChannels["demo-recorded"] });
  });

  it("runs a mutation", async () => {
    const client = apollo();
    const arn = gw.demoChannels["demo-idle"] ?? "";
    const value = `apollo-${Date.now()}`;
    const result = await client.mutate({
      mutation: apolloGql`
        mutation ApolloTag($input: TagResourceInput!) {
          tagResource(input: $input) {
            __typename
            ... on ResourceTags { arn tags { key value } }
            ... on Error { message }
          }
        }
      `,
      variables: { input: { arn, tags: [{ key: "apollo", value }] } },
    });
    expect(result.error).toBeUndefined();
    const tagged = (result.data as { tagResource: { __typename: string; arn: string; tags: unknown[] } })
      .tagResource;
    expect(tagged).toMatchObject({ __typename: "ResourceTags", arn });
    expect(tagged.tags).toContainEqual({ __typename: "Tag", key: "apollo", value });
  });

  it("subscribes through GraphQLWsLink", async () => {
    const client = new ApolloClient({ link: new GraphQLWsLink(graphqlWs()), cache: new InMemoryCache() });
    const arn = gw.demoChannels["demo-idle"] ?? "";
    const first = await new Promise<{ data?: unknown; error?: unknown }>((resolve, reject) => {
      const subscription = client
        .subscribe({ query: apolloGql(LIVE_STATUS), variables: { arns: [arn] } })
        .subscribe({
          next(result) {
            subscription.unsubscribe();
            resolve(result);
          },
          error: reject,
        });
    });
    expect(first.error).toBeUndefined();
    expect((first.data as { channelLiveStatus: LiveStatus }).channelLiveStatus).toMatchObject({
      __typename: "ChannelLiveStatus",
      channelArn: arn,
      status: "OFFLINE",
      isLive: false,
    });
  });
});
