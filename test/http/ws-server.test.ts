import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { serveGraphqlWs } from "../../src/http/ws-server.ts";

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: "Query", fields: { hello: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: "Subscription",
    fields: {
      ticks: {
        type: GraphQLString,
        subscribe: async function* () {
          yield { ticks: "one" };
          yield { ticks: "two" };
        },
      },
    },
  }),
});

let server: Server | undefined;
let dispose = async () => {};
afterEach(async () => {
  await dispose();
  server?.close();
});

async function start(onSubscribe?: () => void) {
  server = createServer();
  const wss = new WebSocketServer({ server });
  const logged: string[] = [];
  ({ dispose } = serveGraphqlWs(wss, { schema, ...(onSubscribe ? { onSubscribe } : {}) }, (m, e) =>
    logged.push(`${m}: ${(e as Error).message}`),
  ));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, logged };
}

/** A raw graphql-transport-ws client: the messages it got, in order, and how it was closed. */
async function client(url: string) {
  const ws = new WebSocket(url, "graphql-transport-ws");
  const messages: { type: string; id?: string; payload?: unknown }[] = [];
  ws.on("message", (raw) => messages.push(JSON.parse(raw.toString())));
  const closed = once(ws, "close").then(([code, reason]) => ({ code, reason: String(reason) }));
  await once(ws, "open");
  ws.send(JSON.stringify({ type: "connection_init" }));
  await expect.poll(() => messages.map((m) => m.type)).toContain("connection_ack");
  return { ws, messages, closed };
}

describe("graphql-ws over our ws adapter", () => {
  it("runs the protocol: ack, a subscription's results, its complete, and pong", async () => {
    const { url } = await start();
    const c = await client(url);
    c.ws.send(JSON.stringify({ id: "s1", type: "subscribe", payload: { query: "subscription { ticks }" } }));
    c.ws.send(JSON.stringify({ type: "ping" }));
    await expect.poll(() => c.messages.filter((m) => m.type === "complete")).toHaveLength(1);
    expect(c.messages.filter((m) => m.id === "s1")).toEqual([
      { id: "s1", type: "next", payload: { data: { ticks: "one" } } },
      { id: "s1", type: "next", payload: { data: { ticks: "two" } } },
      { id: "s1", type: "complete" },
    ]);
    expect(c.messages.map((m) => m.type)).toContain("pong");
    c.ws.close();
  });

  it("closes a socket whose message handling fails with 4500 (graphql-ws's internal error), logging the error and sending none of it", async () => {
    const { url, logged } = await start(() => {
      throw new Error("secret detail");
    });
    const c = await client(url);
    c.ws.send(JSON.stringify({ id: "s1", type: "subscribe", payload: { query: "subscription { ticks }" } }));
    expect(await c.closed).toEqual({ code: 4500, reason: "Internal server error" });
    expect(logged).toEqual(["graphql-ws: internal error while handling a message: secret detail"]);
  });

  it("closes a socket that speaks out of turn with the protocol's own code", async () => {
    const { url } = await start();
    const c = await client(url);
    c.ws.send(JSON.stringify({ type: "connection_init" }));
    expect((await c.closed).code).toBe(4429);
  });
});
