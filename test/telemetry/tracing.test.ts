import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createClient } from "graphql-ws";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { TRACING_MIDDLEWARE } from "../../src/telemetry/ivs-middleware.ts";
import { DASHBOARD, isIvsCall, isOperation, treeOf, useTracedGateway } from "./harness.ts";

const KEY = "telemetry-events-key-0123456789";
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const h = useTracedGateway({ EVENTS_API_KEY: KEY }, () => ({ tracerProvider: provider }));
afterAll(() => provider.shutdown());

const spans = () => exporter.getFinishedSpans();
/** The operation spans finished since `from` (an index into the exporter's spans). */
const operationsSince = (from: number) => spans().slice(from).filter(isOperation);

/** Waits until `predicate` holds over the finished spans (SimpleSpanProcessor exports at end()). */
async function until(predicate: (all: ReadableSpan[]) => boolean, ms = 5000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + ms;
  while (!predicate(spans())) {
    if (Date.now() > deadline) throw new Error(`spans never matched: ${spans().map((s) => s.name)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return spans();
}

describe("traces of GraphQL operations", () => {
  it("installs the IVS call middleware when tracing is on", () => {
    expect(h.gateway.ivs.middlewareStack.identify().some((m) => m.startsWith(TRACING_MIDDLEWARE))).toBe(true);
  });

  it("gives the dashboard query one server span named after it, with its mirror reads", async () => {
    // A first run takes whatever the mirror still lacks from IVS; the second is the warm dashboard.
    const cold = spans().length;
    const first = await h.gql(DASHBOARD);
    expect(first.errors).toBeUndefined();
    const [coldOp] = operationsSince(cold);
    const coldTree = treeOf(spans(), coldOp?.spanContext().traceId ?? "");
    for (const child of coldTree.childrenOf(coldOp as ReadableSpan)) expect(isIvsCall(child)).toBe(true);

    const from = spans().length;
    const warm = await h.gql(DASHBOARD);
    expect(warm.errors).toBeUndefined();
    const ops = operationsSince(from);
    expect(ops).toHaveLength(1);
    const op = ops[0] as ReadableSpan;
    expect(op.name).toBe("query Dashboard");
    expect(op.kind).toBe(SpanKind.SERVER);
    expect(op.parentSpanContext).toBeUndefined();
    expect(op.attributes).toMatchObject({
      "graphql.operation.name": "Dashboard",
      "graphql.operation.type": "query",
      "graphql.outcome": "ok",
      "gateway.mirror.misses": 0,
    });
    expect(op.attributes["gateway.request_id"]).toEqual(expect.any(String));
    // Every channel's keys and recording configuration came from the mirror: no IVS call at all.
    expect(op.attributes["gateway.mirror.hits"]).toBeGreaterThanOrEqual(4);
    expect(op.status.code).toBe(SpanStatusCode.UNSET);
    expect(treeOf(spans(), op.spanContext().traceId).spans).toEqual([op]);
  });

  it("makes the IVS calls of a mutation children of its span, with operation, budget and request id", async () => {
    const from = spans().length;
    const out = await h.gql<{ createChannel: { channel: { arn: string }; streamKey: { value: string } } }>(
      `mutation CreateOne { createChannel(input: { name: "traced" }) {
        ... on CreateChannelPayload { channel { arn } streamKey { value } } } }`,
    );
    const secret = out.data?.createChannel.streamKey.value as string;
    expect(secret).toMatch(/^sk_/);
    const [op] = operationsSince(from);
    expect(op?.name).toBe("mutation CreateOne");
    expect(op?.attributes["graphql.outcome"]).toBe("ok");
    const tree = treeOf(spans(), op?.spanContext().traceId ?? "");
    const calls = tree.childrenOf(op as ReadableSpan).filter(isIvsCall);
    const create = calls.find((c) => c.attributes["aws.operation"] === "CreateChannel");
    expect(create?.name).toBe("IVS.CreateChannel");
    expect(create?.kind).toBe(SpanKind.CLIENT);
    expect(create?.attributes).toMatchObject({
      "rpc.system": "aws-api",
      "rpc.service": "IVS",
      "rpc.method": "CreateChannel",
      "ivs.outcome": "OK",
      "ivs.attempts": 1,
      "ivs.retries": 0,
      "ivs.throttled": 0,
      "ivs.priority": "interactive",
      "http.response.status_code": 200,
    });
    expect(create?.attributes["aws.request_id"]).toEqual(expect.any(String));
    expect(create?.attributes["ivs.budget.wait_ms"]).toBeGreaterThanOrEqual(0);
    // The span covers the call: it starts and ends inside the operation's span.
    expect(create?.parentSpanContext?.spanId).toBe(op?.spanContext().spanId);
    // No span, attribute or event anywhere carries the stream key.
    expect(JSON.stringify(spans().map((s) => [s.name, s.attributes, s.events]))).not.toContain(secret);
  });

  it("counts what the mirror did not have, and the IVS call it caused, on a cold lookup", async () => {
    // Unknown to the mirror (and to IVS): asked of IVS once, in this operation's trace.
    const arn = h.gateway.demo?.liveChannelArn.replace(/\/[^/]+$/, "/AbCdEfGh1234") as string;
    const from = spans().length;
    const out = await h.gql(`query Cold($arn: String!) { channel(arn: $arn) { name } }`, { arn });
    expect(out.errors).toBeUndefined();
    const [op] = operationsSince(from);
    expect(op?.attributes["gateway.mirror.misses"]).toBe(1);
    expect(op?.events.map((e) => [e.name, e.attributes?.kind])).toEqual([["mirror.miss", "channel"]]);
    const calls = treeOf(spans(), op?.spanContext().traceId ?? "").childrenOf(op as ReadableSpan);
    expect(calls.map((c) => c.attributes["aws.operation"])).toEqual(["BatchGetChannel"]);
  });

  it("ends an operation that fails with its outcome and error codes", async () => {
    const from = spans().length;
    const bad = await h.gql(`query Broken { channels(first: 1) { nope } }`);
    expect(bad.errors?.length).toBeGreaterThan(0);
    const [op] = operationsSince(from);
    expect(op?.name).toBe("query Broken");
    expect(op?.attributes["graphql.outcome"]).toBe("invalid");
    expect(op?.attributes["graphql.error.codes"]).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(op?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("continues the caller's trace from its traceparent header", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const from = spans().length;
    await h.gql(DASHBOARD, undefined, {
      traceparent: `00-${traceId}-${parentId}-01`,
      tracestate: "vendor=abc",
    });
    const [op] = operationsSince(from);
    expect(op?.spanContext().traceId).toBe(traceId);
    expect(op?.parentSpanContext?.spanId).toBe(parentId);
    expect(op?.parentSpanContext?.isRemote).toBe(true);
    expect(op?.spanContext().traceState?.get("vendor")).toBe("abc");
  });
  it("continues a WebSocket operation's trace from its upgrade request's traceparent", async () => {
    const traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
    const parentId = "10f067aa0ba902b8";
    const arn = h.gateway.demo?.channels["demo-idle"] as string;
    // The gateway keeps only the upgrade's trace headers once the socket is admitted; they must reach
    // every operation on it.
    const ws = new WebSocket(`${h.gateway.url.replace("http", "ws")}/graphql`, "graphql-transport-ws", {
      headers: { traceparent: `00-${traceId}-${parentId}-01`, tracestate: "vendor=ws" },
    });
    const messages: { type: string }[] = [];
    ws.on("message", (raw) => messages.push(JSON.parse(raw.toString())));
    await new Promise((resolve) => ws.once("open", resolve));
    const from = spans().length;
    ws.send(
      JSON.stringify({
        type: "connection_init",
        payload: { authorization: `Bearer ${h.gateway.devToken}` },
      }),
    );
    while (!messages.some((m) => m.type === "connection_ack")) await new Promise((r) => setTimeout(r, 10));
    ws.send(
      JSON.stringify({
        id: "1",
        type: "subscribe",
        payload: {
          query: "subscription Traced($a: [String!]!) { channelLiveStatus(arns: $a) { status } }",
          variables: { a: [arn] },
        },
      }),
    );
    while (!messages.some((m) => m.type === "next")) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    const op = operationsSince(from).find((o) => o.name === "subscription Traced");
    expect(op?.spanContext().traceId).toBe(traceId);
    expect(op?.parentSpanContext?.spanId).toBe(parentId);
    expect(op?.spanContext().traceState?.get("vendor")).toBe("ws");
  });
});

describe("traces of event ingest and fan-out", () => {
  it("traces POST /events and the fan-out reaching a graphql-ws subscriber, and the subscription's start", async () => {
    const arn = h.gateway.demo?.channels["demo-idle"] as string;
    const client = createClient({
      url: `${h.gateway.url.replace("http", "ws")}/graphql`,
      connectionParams: { authorization: `Bearer ${h.gateway.devToken}` },
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const statuses: string[] = [];
    const from = spans().length;
    const dispose = client.subscribe<{ channelLiveStatus: { status: string } }>(
      {
        query: `subscription Watch($arns: [String!]!) { channelLiveStatus(arns: $arns) { status } }`,
        variables: { arns: [arn] },
      },
      {
        next: (r) => void statuses.push(r.data?.channelLiveStatus.status ?? "?"),
        error: () => {},
        complete: () => {},
      },
    );
    try {
      while (statuses.length === 0) await new Promise((r) => setTimeout(r, 10));
      const [sub] = operationsSince(from);
      expect(sub?.name).toBe("subscription Watch");
      expect(sub?.attributes["graphql.outcome"]).toBe("ok");

      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const res = await fetch(`${h.gateway.url}/events`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": KEY,
          traceparent: `00-${traceId}-b7ad6b7169203331-01`,
        },
        body: JSON.stringify({
          version: "0",
          id: "8d3f1a52-0000-4000-8000-000000000001",
          "detail-type": "IVS Stream State Change",
          source: "aws.ivs",
          account: arn.split(":")[4],
          time: new Date().toISOString(),
          region: arn.split(":")[3],
          resources: [arn],
          detail: { event_name: "Stream Start", channel_name: "demo-idle", stream_id: "st-traced" },
        }),
      });
      expect(res.status).toBe(202);
      while (!statuses.includes("LIVE")) await new Promise((r) => setTimeout(r, 10));
      const all = await until((s) => s.some((x) => x.name === "ivs.events.ingest"));
      const tree = treeOf(all, traceId);
      const ingest = tree.spans.find((s) => s.name === "ivs.events.ingest") as ReadableSpan;
      expect(ingest.kind).toBe(SpanKind.SERVER);
      expect(ingest.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
      expect(ingest.attributes).toMatchObject({
        "ivs.events.outcome": "relayed",
        "ivs.event.kind": "STREAM_STATE",
        "http.response.status_code": 202,
      });
      const fanouts = tree.childrenOf(ingest).filter((s) => s.name === "live.fanout");
      expect(fanouts.map((f) => f.attributes)).toContainEqual(
        expect.objectContaining({
          "live.fanout.kind": "update",
          "live.subscribers": 1,
          "ivs.channel.arn": arn,
        }),
      );
    } finally {
      dispose();
      await client.dispose();
    }
  });
});
