import { randomUUID } from "node:crypto";
import type { Plugin } from "graphql-yoga";

/** The header a proxy or client sets to correlate a request, and the gateway answers with. */
export const REQUEST_ID_HEADER = "x-request-id";

/** What a caller's id may be: short, printable and inert in a log line; anything else is replaced. */
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * One id per HTTP request: the `x-request-id` it came with (from a proxy, say), or a fresh UUID. It is
 * sent back in the response's `x-request-id` (unless something set that already) and is in every
 * audit record the request's mutations leave. Operations over WebSocket each get a fresh one.
 */
export function useRequestId() {
  const ids = new WeakMap<Request, string>();
  const idOf = (request: Request): string => {
    let id = ids.get(request);
    if (!id) {
      const given = request.headers.get(REQUEST_ID_HEADER);
      id = given && ACCEPTABLE.test(given) ? given : randomUUID();
      ids.set(request, id);
    }
    return id;
  };
  const plugin: Plugin = {
    onResponse({ request, response }) {
      if (!response.headers.has(REQUEST_ID_HEADER)) response.headers.set(REQUEST_ID_HEADER, idOf(request));
    },
  };
  return {
    plugin,
    /** The request id of an operation, for the context factory. */
    requestIdOf(initial: { request?: Request }): string {
      return initial.request ? idOf(initial.request) : randomUUID();
    },
  };
}
