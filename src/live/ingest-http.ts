import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventIngestor } from "./ingest.ts";

export interface IngestHttpOptions {
  ingestor: EventIngestor;
  /** Header carrying the API key, as set on the EventBridge connection. Default `x-api-key`. */
  apiKeyHeader?: string;
  /** The expected key. */
  apiKey: string;
  /** Largest body accepted. Default 256 KiB, EventBridge's largest event. */
  maxBytes?: number;
  /** Counts requests refused before ingest: unauthorized, unsupported, too_large, bad_json. */
  onRefused?: (reason: "unauthorized" | "unsupported" | "too_large" | "bad_json") => void;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * POST /events: the EventBridge API-destination endpoint. Answers fast (EventBridge waits 5 s at most)
 * and never with 5xx for a bad event, so that EventBridge retries only what may succeed later.
 */
export function createIngestHandler(options: IngestHttpOptions) {
  const header = (options.apiKeyHeader ?? "x-api-key").toLowerCase();
  const expected = digest(options.apiKey);
  const maxBytes = options.maxBytes ?? 256 * 1024;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      res
        .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
        .end(text);
    };
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(405, { error: "use POST" });
    }
    const given = req.headers[header];
    // Digests have equal length, so the comparison takes the same time whatever the key's length.
    if (typeof given !== "string" || !timingSafeEqual(digest(given), expected)) {
      options.onRefused?.("unauthorized");
      req.resume();
      return send(401, { error: `missing or wrong ${header} header` });
    }
    const type = req.headers["content-type"] ?? "";
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      options.onRefused?.("unsupported");
      req.resume();
      return send(415, { error: "content-type must be application/json" });
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBytes) {
      options.onRefused?.("too_large");
      req.resume();
      return send(413, { error: `body larger than ${maxBytes} bytes` });
    }
    const raw = await readBody(req, maxBytes);
    if (!raw) {
      options.onRefused?.("too_large");
      return send(413, { error: `body larger than ${maxBytes} bytes` });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      options.onRefused?.("bad_json");
      return send(400, { error: "the body is not valid JSON" });
    }
    const result = await options.ingestor.ingest(body);
    if (result.outcome === "malformed") return send(400, { error: result.reason });
    // An entry over the stored-entry cap (src/live/ingest.ts): EventBridge does not retry a 413.
    if (result.outcome === "too_large")
      return send(413, { error: result.reason, ...(result.id ? { id: result.id } : {}) });
    return send(202, { ...result });
  };
}

/**
 * The body, or undefined as soon as it passes `maxBytes`. Reading then stops without destroying the request:
 * destroying it would destroy the socket under the 413 being written. The server closes the connection
 * after the refusal (src/http/refusal.ts), with the rest of the body unread.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData).off("end", onEnd).off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}
