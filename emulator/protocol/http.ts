import type { IncomingMessage, ServerResponse } from "node:http";
import type { OperationDef, ServiceModel } from "../../model/types.ts";
import { IvsError, validation } from "../errors.ts";

export interface DecodedRequest {
  operation: string;
  def: OperationDef;
  input: Record<string, unknown>;
}

interface Route {
  name: string;
  def: OperationDef;
  /** Literal path, or a prefix followed by one path label. */
  path: string;
  label?: string;
}

/** Builds the restJson1 route table (method + path → operation) from the model. */
export function buildRoutes(model: ServiceModel): Map<string, Route[]> {
  const routes = new Map<string, Route[]>();
  for (const [name, def] of Object.entries(model.operations)) {
    const match = /^(.*?)\{(\w+)\}$/.exec(def.uri);
    const route: Route = match
      ? { name, def, path: match[1] ?? "", label: match[2] }
      : { name, def, path: def.uri };
    const list = routes.get(def.method) ?? [];
    list.push(route);
    routes.set(def.method, list);
  }
  return routes;
}

/** Finds the operation a request addresses; path labels are percent-decoded (tag ARNs arrive encoded). */
export function matchRoute(
  routes: Map<string, Route[]>,
  method: string,
  url: URL,
): { route: Route; labels: Record<string, string> } | undefined {
  for (const route of routes.get(method) ?? []) {
    if (!route.label) {
      if (url.pathname === route.path) return { route, labels: {} };
      continue;
    }
    if (!url.pathname.startsWith(route.path)) continue;
    const raw = url.pathname.slice(route.path.length);
    if (raw === "" || raw.includes("/")) continue;
    try {
      return { route, labels: { [route.label]: decodeURIComponent(raw) } };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Merges body, path labels and query members into the operation's input, as the model binds them. */
export function decodeInput(
  model: ServiceModel,
  def: OperationDef,
  body: string,
  labels: Record<string, string>,
  url: URL,
): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (body.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw validation("Could not parse request body into json: the body is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw validation("Could not parse request body: expected a JSON object");
    input = parsed as Record<string, unknown>;
  }
  const shape = def.input ? model.shapes[def.input] : undefined;
  for (const [member, m] of Object.entries(shape?.members ?? {})) {
    if (m.location === "uri") input[member] = labels[m.locationName ?? member];
    else if (m.location === "querystring") {
      const values = url.searchParams.getAll(m.locationName ?? member);
      const isList = model.shapes[m.shape]?.type === "list";
      if (values.length > 0) input[member] = isList ? values : values[0];
      else delete input[member];
    } else if (m.location) delete input[member];
  }
  return input;
}

/** Reads a body up to `limit` bytes; a larger one is a ValidationException. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw validation(`Request body exceeds the ${limit}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Writes a success: no body for 204 operations, JSON otherwise (Dates as RFC 3339 strings). */
export function writeOutput(res: ServerResponse, requestId: string, status: number, output: unknown): void {
  res.setHeader("x-amzn-RequestId", requestId);
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const body = JSON.stringify(output ?? {}, (_k, v) => (v instanceof Date ? v.toISOString() : v));
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) })
    .end(body);
}

/** Writes an error the SDK decodes to its modeled class: type in `x-amzn-ErrorType`, text in both body keys. */
export function writeError(res: ServerResponse, requestId: string, error: IvsError): void {
  const body = JSON.stringify({ exceptionMessage: error.message, message: error.message });
  res
    .writeHead(error.status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
      "x-amzn-RequestId": requestId,
      "x-amzn-ErrorType": error.type,
    })
    .end(body);
}

export function toIvsError(error: unknown): IvsError {
  if (error instanceof IvsError) return error;
  return new IvsError("InternalServerException", "An internal error occurred");
}
