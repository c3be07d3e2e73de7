import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../frontends/gateway.ts";

/**
 * Refusals sent before the request body was read close the connection (finding 7 of issue 11): an oversized
 * chunked body refused with 413 used to leave the keep-alive connection holding the unread rest, and the next
 * request on it stalled, then was reset. Everything here goes over one raw TCP socket, as an attacker's would.
 */

const EVENTS_KEY = "refusals-test-events-key-0123456789";
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ EVENTS_API_KEY: EVENTS_KEY, MAX_BODY_BYTES: "4096" });
});
afterAll(async () => {
  await gw?.stop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One keep-alive TCP connection to the gateway: writes raw requests, reads responses, sees how it ends. */
class RawConnection {
  private buffer = Buffer.alloc(0);
  private wake = () => {};
  /** How the server ended the connection: a clean `end` (FIN) or an error (ECONNRESET…); undefined while open. */
  ended: "end" | string | undefined;
  readonly socket: Socket;
  readonly closed: Promise<void>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect({ host: hostname, port: Number(port) });
    this.socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      this.socket.on("end", () => {
        this.ended ??= "end";
        this.wake();
      });
      this.socket.on("error", (error: NodeJS.ErrnoException) => {
        this.ended ??= error.code ?? error.message;
        this.wake();
      });
      this.socket.on("close", () => {
        this.ended ??= "close";
        this.wake();
        resolve();
      });
    });
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      // A server that already closed may reset a write: that shows in `ended`, not here.
      if (!this.socket.writable) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** The next whole response (Content-Length or chunked body); rejects if the connection ends first. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const parsed = parseResponse(this.buffer);
      if (parsed) {
        this.buffer = this.buffer.subarray(parsed.length);
        return parsed.response;
      }
      if (this.ended) throw new Error(`the connection ended (${this.ended}) before a whole response`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function parseResponse(buffer: Buffer): { response: RawResponse; length: number } | undefined {
  const head = buffer.indexOf("\r\n\r\n");
  if (head < 0) return undefined;
  const [statusLine = "", ...lines] = buffer.subarray(0, head).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(" ")[1]);
  let at = head + 4;
  if (headers["transfer-encoding"]?.includes("chunked")) {
    const parts: Buffer[] = [];
    for (;;) {
      const eol = buffer.indexOf("\r\n", at);
      if (eol < 0) return undefined;
      const size = Number.parseInt(buffer.subarray(at, eol).toString("latin1"), 16);
      if (buffer.length < eol + 2 + size + 2) return undefined;
      parts.push(buffer.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
      if (size === 0) break;
    }
    return { response: { status, headers, body: Buffer.concat(parts).toString("utf8") }, length: at };
  }
  const size = Number(headers["content-length"] ?? 0);
  if (buffer.length < at + size) return undefined;
  return {
    response: { status, headers, body: buffer.subarray(at, at + size).toString("utf8") },
    length: at + size,
  };
}

/** A chunked POST whose body (128 chunks of 4 KiB, 512 KiB in all) is far over MAX_BODY_BYTES. */
function oversizedChunkedPost(path: string, headers: Record<string, string>): Buffer {
  const head = [
    `POST ${path} HTTP/1.1`,
    "host: gateway",
    "connection: keep-alive",
    "content-type: application/json",
    "transfer-encoding: chunked",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");
  const chunk = `${(4096).toString(16)}\r\n${"x".repeat(4096)}\r\n`;
  return Buffer.from(`${head}${chunk.repeat(128)}0\r\n\r\n`);
}

function smallPost(path: string, body: string, headers: Record<string, string>): string {
  return [
    `POST ${path} HTTP/1.1`,
    "host: gateway",
    "connection: keep-alive",
    "content-type: application/json",
    "accept: application/graphql-response+json",
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    body,
  ].join("\r\n");
}

const query = JSON.stringify({ query: "{ __typename }" });

describe("a refusal sent before the body was read closes the connection", () => {
  const cases = [
    { path: "/graphql", headers: () => gw.authHeaders },
    { path: "/events", headers: () => ({ "x-api-key": EVENTS_KEY }) },
  ];
  for (const { path, headers } of cases) {
    it(`413 for an oversized chunked body on ${path}: connection: close, then a clean end`, async () => {
      const conn = new RawConnection(gw.gateway.url);
      try {
        await conn.write(oversizedChunkedPost(path, headers()));
        const refused = await conn.response();
        expect(refused.status).toBe(413);
        expect(refused.headers.connection).toBe("close");
        // The server ends the connection itself, cleanly: no waiting for a keep-alive timeout, no reset.
        await conn.closed;
        expect(conn.ended).toBe("end");
      } finally {
        conn.destroy();
      }
      // A new connection is served as usual.
      const next = new RawConnection(gw.gateway.url);
      try {
        await next.write(smallPost("/graphql", query, gw.authHeaders));
        const answered = await next.response();
        expect(answered.status).toBe(200);
        expect(JSON.parse(answered.body)).toEqual({ data: { __typename: "Query" } });
      } finally {
        next.destroy();
      }
    });
  }

  it("a 401 or 404 sent while a body is still coming closes the connection too", async () => {
    for (const { path, status } of [
      { path: "/nowhere", status: 404 },
      { path: "/health", status: 404 },
      { path: "/events", status: 401 },
    ]) {
      const conn = new RawConnection(gw.gateway.url);
      try {
        await conn.write(oversizedChunkedPost(path, {}));
        const refused = await conn.response();
        expect(refused.status, path).toBe(status);
        expect(refused.headers.connection).toBe("close");
        await conn.closed;
        expect(conn.ended).toBe("end");
      } finally {
        conn.destroy();
      }
    }
  });

  it("answers that read the whole body keep the connection alive, errors included", async () => {
    const conn = new RawConnection(gw.gateway.url);
    try {
      await conn.write(smallPost("/graphql", query, gw.authHeaders));
      const first = await conn.response();
      expect(first.status).toBe(200);
      expect(first.headers.connection).toBe("keep-alive");
      // A GraphQL error on a body that was read whole is not a reason to drop the connection.
      await conn.write(smallPost("/graphql", JSON.stringify({ query: "{ nope" }), gw.authHeaders));
      const second = await conn.response();
      expect(second.status).toBe(400);
      expect(second.headers.connection).toBe("keep-alive");
      // Nor is a 404 for a request without a body.
      await conn.write("GET /nowhere HTTP/1.1\r\nhost: gateway\r\nconnection: keep-alive\r\n\r\n");
      const third = await conn.response();
      expect(third.status).toBe(404);
      expect(third.headers.connection).toBe("keep-alive");
      await conn.write(smallPost("/graphql", query, gw.authHeaders));
      expect((await conn.response()).status).toBe(200);
      expect(conn.ended).toBeUndefined();
    } finally {
      conn.destroy();
    }
  });
});
