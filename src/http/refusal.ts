import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Whether the request's body has been read to its end, or it never had one. Until then the connection holds
 * bytes of this request that the next one would have to wait behind.
 */
function bodyRead(req: IncomingMessage): boolean {
  const declaresNone =
    req.headers["transfer-encoding"] === undefined && (req.headers["content-length"] ?? "0") === "0";
  return declaresNone || (req.complete && req.readableLength === 0);
}

/**
 * Closes the connection after any error answer sent before the request's body was read whole (a 413 of
 * Yoga's or of /events, a 401, 404, 405 or 503 that never looks at the body): `Connection: close`, and the
 * socket ended once the answer is written. Kept alive, such a connection still holds the unread rest of the
 * body: the next request on it waits behind bytes nobody reads, until the keep-alive timeout resets it.
 * Answers that read the body (a GraphQL error on a well-formed request included) keep the connection.
 * Works for every route at once: it decides when the status line is written, whoever writes it.
 */
export function closeAfterRefusal(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  // Every answer passes here, those that only call write()/end() too (Node's implicit header calls writeHead).
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const status = typeof args[0] === "number" ? args[0] : this.statusCode;
    if (status >= 400 && !bodyRead(req)) {
      // Node then writes `Connection: close` and ends the socket after this response.
      this.shouldKeepAlive = false;
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse["writeHead"];
}
