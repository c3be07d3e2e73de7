import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wsModule from "ws";
import { WebSocket, WebSocketServer } from "ws";
import { canWriteFramed, framedText, sendFramed, textFrame } from "../../src/http/ws-frame.ts";

/** ws's framing, which its ESM entry exports (its types do not declare it). */
const { Sender } = wsModule as unknown as { Sender: { frame(d: Buffer, o: object): Buffer[] } };

/** What ws itself writes for `send(text)` from a server: its frame, joined. */
function wsFrame(text: string): Buffer {
  const parts = Sender.frame(Buffer.from(text), {
    fin: true,
    opcode: 1,
    mask: false,
    readOnly: false,
    rsv1: false,
  });
  return Buffer.concat(parts);
}

let server: Server;
let wss: WebSocketServer;
let url = "";

beforeAll(async () => {
  server = createServer();
  wss = new WebSocketServer({ server, perMessageDeflate: false });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of wss.clients) s.terminate();
  wss.close();
  server.close();
});

/** A connected pair: the server's socket and a client reading its messages as text. */
async function pair() {
  const accepted = once(wss, "connection") as Promise<[WebSocket]>;
  const client = new WebSocket(url);
  await once(client, "open");
  const [socket] = await accepted;
  const received: string[] = [];
  client.on("message", (data, binary) => received.push(`${binary ? "binary" : "text"}:${data.toString()}`));
  return { socket, client, received };
}

describe("framed text messages", () => {
  it("frames text as ws does, for each length encoding", () => {
    for (const text of ["é", "x".repeat(125), "y".repeat(126), "z".repeat(65_535), "w".repeat(70_000)])
      expect(textFrame(text).equals(wsFrame(text))).toBe(true);
  });

  it("writes the ready frame straight to the stream of a ws server socket, which reads as ws's own send", async () => {
    const { socket, client, received } = await pair();
    // The direct path is taken on this ws: were its internals renamed, this fails instead of quietly
    // falling back to framing every message again.
    expect(canWriteFramed(socket)).toBe(true);
    const done: unknown[] = [];
    sendFramed(socket, framedText('{"a":"é"}'), (e) => done.push(e ?? "ok"));
    socket.send("after");
    sendFramed(socket, framedText("z".repeat(70_000)), (e) => done.push(e ?? "ok"));
    await expect.poll(() => received.length).toBe(3);
    expect(received.slice(0, 2)).toEqual(['text:{"a":"é"}', "text:after"]);
    expect(received[2]).toBe(`text:${"z".repeat(70_000)}`);
    expect(done).toEqual(["ok", "ok"]);
    client.terminate();
  });

  it("falls back to ws's send while ws has sends of its own queued", async () => {
    const { socket, client, received } = await pair();
    const sender = (socket as unknown as { _sender: { _queue: unknown[] } })._sender;
    // As while ws compresses or reads a Blob: a direct write would overtake what is queued.
    sender._queue.push(["queued"]);
    expect(canWriteFramed(socket)).toBe(false);
    sender._queue.pop();
    expect(canWriteFramed(socket)).toBe(true);
    sendFramed(socket, framedText("fine"), () => {});
    await expect.poll(() => received).toEqual(["text:fine"]);
    client.terminate();
  });
});
