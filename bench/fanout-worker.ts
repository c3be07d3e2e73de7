/**
 * One process of the fan-out benchmark's receiving side (forked by bench/fanout-receivers.ts): opens its
 * share of the subscriber sockets, speaks graphql-transport-ws over plain `ws` (no client library, so the
 * generator's own cost stays small and measured), and times each delivery against its event's scheduled
 * send time. Receiving 25,000 messages/s is more than one process can parse beside two gateways on this
 * machine, so the sockets are spread over several of these.
 */
import WebSocket from "ws";
import type { FromWorker, ToWorker } from "./fanout-protocol.ts";

/** Handshakes (open, ack, subscribe) in flight at once per process, so connecting does not stampede. */
const HANDSHAKES_IN_FLIGHT = 100;

/** Wall-clock ms with sub-ms resolution, comparable across processes on this machine. */
const now = () => performance.timeOrigin + performance.now();

const sockets: WebSocket[] = [];
let latencies: number[] = [];
let delivered = 0;
let errors = 0;
let counting = false;
let schedule: { tag: string; startAbs: number; intervalMs: number; deadlineAbs: number } | undefined;
let cpuAtStart: NodeJS.CpuUsage | undefined;

const send = (m: FromWorker) => process.send?.(m);

function onData(raw: WebSocket.RawData, ws: WebSocket): void {
  const msg = JSON.parse(raw.toString()) as {
    type: string;
    payload?: { data?: { streamEvents?: { eventId?: string } }; errors?: unknown };
  };
  if (msg.type === "ping") {
    ws.send('{"type":"pong"}');
    return;
  }
  if (msg.type === "error" || (msg.type === "next" && msg.payload?.errors)) errors += 1;
  if (msg.type !== "next" || !counting || !schedule) return;
  const id = msg.payload?.data?.streamEvents?.eventId;
  if (!id?.startsWith(schedule.tag)) return;
  const index = Number(id.slice(schedule.tag.length));
  const at = now();
  if (at > schedule.deadlineAbs) return;
  delivered += 1;
  latencies.push(at - (schedule.startAbs + index * schedule.intervalMs));
}

/** Opens one socket and subscribes; resolves once the subscribe message is sent (or the socket failed). */
function open(url: string, token: string, query: string, arn: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "graphql-transport-ws", { perMessageDeflate: false });
    let subscribed = false;
    ws.on("open", () =>
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })),
    );
    ws.on("message", (raw) => {
      if (subscribed) {
        onData(raw, ws);
        return;
      }
      const msg = JSON.parse(raw.toString()) as { type: string };
      if (msg.type !== "connection_ack") return;
      subscribed = true;
      ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables: { a: [arn] } } }));
      sockets.push(ws);
      resolve(true);
    });
    ws.on("error", () => {
      if (!subscribed) resolve(false);
      else errors += 1;
    });
    ws.on("close", () => {
      if (!subscribed) resolve(false);
    });
  });
}

process.on("message", async (m: ToWorker) => {
  if (m.type === "open") {
    let failed = 0;
    let next = 0;
    const lane = async () => {
      while (next < m.sockets.length) {
        const s = m.sockets[next++] as { url: string; arn: string };
        if (!(await open(s.url, m.token, m.query, s.arn))) failed += 1;
      }
    };
    await Promise.all(Array.from({ length: HANDSHAKES_IN_FLIGHT }, lane));
    send({ type: "opened", failed });
  } else if (m.type === "start") {
    schedule = { tag: m.tag, startAbs: m.startAbs, intervalMs: m.intervalMs, deadlineAbs: m.deadlineAbs };
    latencies = [];
    delivered = 0;
    counting = true;
    cpuAtStart = process.cpuUsage();
  } else if (m.type === "count") {
    send({ type: "count", delivered });
  } else if (m.type === "finish") {
    counting = false;
    const cpu = process.cpuUsage(cpuAtStart);
    send({ type: "result", latencies, delivered, errors, cpuMicros: cpu.user + cpu.system });
  } else if (m.type === "close") {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
send({ type: "ready" });
