/**
 * The soak's EventBridge API destination: the emulator POSTs every event here and this proxy passes it on
 * to the gateway replicas in turn (one request to one, the next to the other, so a retry may land on the
 * replica that did not see the first attempt), and writes down what each replica answered. An event counts
 * as ACCEPTED once a replica answered it 2xx with `relayed` or `duplicate`: from then on EventBridge would
 * never send it again, so the gateway owns its delivery.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface EventRecord {
  detailType: string;
  /** POSTs that reached the proxy for this id (attempts and duplicates). */
  posts: number;
  /** Outcome of the first 2xx answer, if any (relayed, duplicate, ignored, …). */
  accepted?: string;
  /** Replica index that gave that answer. */
  acceptedBy?: number;
}

export interface EventProxy {
  url: string;
  /** Every event id seen, with what became of it. */
  events: Map<string, EventRecord>;
  /** Answers by replica and HTTP status (0 = the replica could not be reached). */
  statuses: Record<string, number>[];
  /** Answers by ingest outcome (from the 2xx bodies). */
  outcomes: Record<string, number>;
  stop(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Starts the proxy in front of `targets` (each a gateway's `/events` URL). */
export async function startEventProxy(targets: string[]): Promise<EventProxy> {
  const events = new Map<string, EventRecord>();
  const statuses: Record<string, number>[] = targets.map(() => ({}));
  const outcomes: Record<string, number> = {};
  let turn = 0;
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    let id = "";
    let detailType = "";
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { id?: unknown; "detail-type"?: unknown };
      id = typeof parsed.id === "string" ? parsed.id : "";
      detailType = typeof parsed["detail-type"] === "string" ? parsed["detail-type"] : "";
    } catch {}
    const record = id ? (events.get(id) ?? { detailType, posts: 0 }) : undefined;
    if (record && id) {
      record.posts += 1;
      events.set(id, record);
    }
    const replica = turn++ % targets.length;
    const tally = statuses[replica] as Record<string, number>;
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "x-api-key", "user-agent"]) {
      const v = req.headers[name];
      if (typeof v === "string") headers[name] = v;
    }
    try {
      // Just under the emulator's 5 s: the emulator then sees this proxy's answer, not its own timeout.
      const up = await fetch(targets[replica] as string, {
        method: "POST",
        headers,
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(4500),
      });
      const text = await up.text();
      tally[up.status] = (tally[up.status] ?? 0) + 1;
      if (up.status >= 200 && up.status < 300) {
        let outcome = "unknown";
        try {
          outcome = String((JSON.parse(text) as { outcome?: unknown }).outcome ?? "unknown");
        } catch {}
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (record && record.accepted === undefined) {
          record.accepted = outcome;
          record.acceptedBy = replica;
        }
      }
      res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" });
      res.end(text);
    } catch {
      tally[0] = (tally[0] ?? 0) + 1;
      res.writeHead(502, { "content-type": "application/json" });
      res.end('{"error":"replica unreachable"}');
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    events,
    statuses,
    outcomes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
