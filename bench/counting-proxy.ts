/**
 * An HTTP proxy in front of the emulator that counts the IVS calls of one gateway only (by operation and
 * status), so a second replica's calls can be told from the first one's while both use one account.
 */
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import type { OperationCounts } from "./emulator.ts";

export interface CountingProxy {
  url: string;
  counts(): OperationCounts;
  reset(): void;
  stop(): Promise<void>;
}

/** restJson1 paths: `POST /<Operation>`, and tags on `/tags/<arn>` by method. */
function operationOf(method: string, path: string): string {
  const first = path.split("?")[0]?.split("/")[1] ?? "";
  if (first === "tags")
    return method === "GET" ? "ListTagsForResource" : method === "DELETE" ? "UntagResource" : "TagResource";
  return first || "(root)";
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true });
  let counts: OperationCounts = {};
  const record = (op: string, status: number) => {
    const c = counts[op] ?? { total: 0, byStatus: {} };
    c.total += 1;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    counts[op] = c;
  };
  const server = createServer((req, res) => {
    const op = operationOf(req.method ?? "GET", req.url ?? "/");
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (up) => {
        if (!op.startsWith("_emulator")) record(op, up.statusCode ?? 0);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      record(op, 502);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    reset: () => {
      counts = {};
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
