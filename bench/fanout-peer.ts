/**
 * The fan-out benchmark's bare peer: what `ws` alone allows on this machine. A plain HTTP server and a
 * `ws` server speaking just enough graphql-transport-ws (ack, subscribe, complete, pong); each POST /events
 * is parsed, serialized once as the gateway's `next` payload for `streamEvents { eventId }`, and sent to
 * every socket subscribed to its channel. No auth, no GraphQL execution, no event store, no dedupe: the
 * floor the gateway's own fan-out is compared with (bench/live-subscribers.ts). Started like the gateway
 * (PORT from the environment); answers /health and the gateway's `subscribers{kind="events"}` gauge.
 */
import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

const subscribers = new Map<string, Map<WebSocket, string>>();
let count = 0;

const server = createServer((req, res) => {
  if (req.url === "/health") return void res.end("ok");
  if (req.url === "/metrics") return void res.end(`subscribers{kind="events"} ${count}\n`);
  if (req.url !== "/events" || req.method !== "POST") {
    res.statusCode = 404;
    return void res.end();
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const event = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; resources: string[] };
    res.statusCode = 202;
    res.end();
    const payload = JSON.stringify({ data: { streamEvents: { eventId: event.id } } });
    for (const [socket, id] of subscribers.get(event.resources[0] as string) ?? [])
      socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
  });
});

const wss = new WebSocketServer({ server, path: "/graphql", perMessageDeflate: false });
wss.on("connection", (socket) => {
  const mine = new Set<string>();
  socket.on("message", (raw) => {
    const msg = JSON.parse(raw.toString()) as {
      id?: string;
      type: string;
      payload?: { variables?: { a?: string[] } };
    };
    if (msg.type === "connection_init") socket.send('{"type":"connection_ack"}');
    else if (msg.type === "ping") socket.send('{"type":"pong"}');
    else if (msg.type === "subscribe") {
      const arn = msg.payload?.variables?.a?.[0] ?? "";
      const set = subscribers.get(arn) ?? new Map<WebSocket, string>();
      subscribers.set(arn, set);
      set.set(socket, msg.id ?? "");
      mine.add(arn);
      count += 1;
    }
  });
  socket.on("close", () => {
    for (const arn of mine) if (subscribers.get(arn)?.delete(socket)) count -= 1;
  });
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
// A clean exit on the bench's SIGTERM (so that --cpu-prof, if asked, writes its profile).
process.on("SIGTERM", () => process.exit(0));
