import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { startHeartbeat } from "../../src/http/heartbeat.ts";

let server: Server | undefined;
let wss: WebSocketServer | undefined;
const clients: WebSocket[] = [];
let stop = () => {};

afterEach(() => {
  stop();
  for (const c of clients.splice(0)) c.terminate();
  for (const s of wss?.clients ?? []) s.terminate();
  wss?.close();
  server?.close();
});

async function listen(intervalMs: number): Promise<string> {
  server = createServer();
  wss = new WebSocketServer({ server });
  stop = startHeartbeat(wss, intervalMs);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function connect(url: string, autoPong = true): Promise<WebSocket> {
  const client = new WebSocket(url, { autoPong });
  clients.push(client);
  await once(client, "open");
  return client;
}

describe("heartbeat", () => {
  it("drops a socket that does not answer pings and keeps one that does", async () => {
    const url = await listen(64);
    const mute = await connect(url, false);
    const live = await connect(url);
    let pings = 0;
    live.on("ping", () => {
      pings += 1;
    });
    const closed = once(mute, "close");
    const [code] = (await closed) as [number];
    // Terminated, not closed with a handshake: the peer is taken to be gone.
    expect(code).toBe(1006);
    await expect.poll(() => pings, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(live.readyState).toBe(WebSocket.OPEN);
  });

  it("spreads the pings of one interval over its slices instead of one burst", async () => {
    const url = await listen(320);
    const groups: number[] = [];
    let open = false;
    // Pings made in one timer callback form a group; a group closes when that callback returns.
    wss?.on("connection", (socket) => {
      const ping = socket.ping.bind(socket);
      socket.ping = (...args: Parameters<WebSocket["ping"]>) => {
        if (!open) {
          open = true;
          groups.push(0);
          setImmediate(() => {
            open = false;
          });
        }
        groups[groups.length - 1] = (groups.at(-1) ?? 0) + 1;
        ping(...args);
      };
    });
    for (let i = 0; i < 64; i++) await connect(url);
    await expect.poll(() => groups.reduce((a, b) => a + b, 0), { timeout: 5000 }).toBeGreaterThanOrEqual(128);
    // 64 sockets over 32 slices: at most 2 pings at a time, where one burst would be 64.
    expect(Math.max(...groups)).toBeLessThanOrEqual(2);
  });
});
