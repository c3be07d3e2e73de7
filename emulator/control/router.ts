import type { IncomingMessage, ServerResponse } from "node:http";

/** The control API lives under this prefix, which no IVS path uses. */
export const CONTROL_PREFIX = "/_emulator";

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlRequest {
  method: string;
  /** Path below the prefix, e.g. `/broadcasts/start`. */
  path: string;
  url: URL;
  body: Record<string, unknown>;
}

export interface ControlRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  handle: (req: ControlRequest) => unknown;
}

/**
 * Serves the control API: JSON in, JSON out, errors as `{ error }` with a 4xx status. A call other than
 * GET is answered once `durable` (the state file's log, when there is one) has what it changed.
 */
export function createControlHandler(routes: ControlRoute[], durable?: () => Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== CONTROL_PREFIX && !url.pathname.startsWith(`${CONTROL_PREFIX}/`)) return false;
    const path = url.pathname.slice(CONTROL_PREFIX.length) || "/";
    const method = req.method ?? "GET";
    try {
      const candidates = routes.filter((r) => r.path === path);
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        throw candidates.length > 0
          ? new ControlError(405, `${method} is not allowed on ${CONTROL_PREFIX}${path}`)
          : new ControlError(404, `no control route ${CONTROL_PREFIX}${path}`);
      }
      const body = await readJson(req);
      const result = await route.handle({ method, path, url, body });
      if (method !== "GET" && durable) await durable();
      send(res, 200, result ?? { ok: true });
    } catch (error) {
      const status = error instanceof ControlError ? error.status : 500;
      send(res, status, { error: error instanceof Error ? error.message : String(error) });
    }
    return true;
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ControlError(400, "the body must be a JSON object");
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) })
    .end(body);
}
