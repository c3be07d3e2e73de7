import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { IvsEvent } from "../../emulator/index.ts";

export interface Received {
  headers: IncomingHttpHeaders;
  method: string;
  event: IvsEvent;
  at: number;
}

/** A status for the nth request (0-based), or a delay before answering 200. */
export type Responder = (n: number) => number | { delayMs: number };

export interface EventSink {
  url: string;
  /** Every request, in arrival order (including ones answered with an error). */
  requests: Received[];
  /** The events of requests answered 2xx, in arrival order. */
  delivered(): IvsEvent[];
  close(): Promise<void>;
}

/** A real HTTP endpoint on 127.0.0.1 standing in for an application's webhook behind an API destination. */
export async function startEventSink(respond: Responder = () => 200): Promise<EventSink> {
  const requests: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = requests.length;
      requests.push({
        headers: req.headers,
        method: req.method ?? "",
        event: JSON.parse(Buffer.concat(chunks).toString("utf8")) as IvsEvent,
        at: Date.now(),
      });
      const answer = respond(n);
      if (typeof answer === "number") {
        statuses[n] = answer;
        res.writeHead(answer).end();
      } else {
        statuses[n] = 200;
        // A late answer: the client may already have given up, which is the point.
        setTimeout(() => res.writeHead(200).end(), answer.delayMs).unref();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ivs-events`,
    requests,
    delivered: () =>
      requests.filter((_, i) => (statuses[i] ?? 0) >= 200 && (statuses[i] ?? 0) < 300).map((r) => r.event),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
