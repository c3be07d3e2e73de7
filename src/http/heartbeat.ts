import type { WebSocket, WebSocketServer } from "ws";

/**
 * Slices of the heartbeat interval: each socket is pinged once per interval, in its own slice, so that
 * 10,000 sockets are not pinged in one burst of writes (which would hold up every event behind it).
 */
const SLICES = 32;

/**
 * Pings every socket of `wss` once per `intervalMs`; a socket that has not answered the previous ping
 * with a pong by its next turn is terminated (a peer gone without closing). The sockets are spread over
 * the interval's slices as they connect. Returns the function that stops it.
 */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): () => void {
  const slices = Array.from({ length: SLICES }, () => new Set<WebSocket>());
  // Sockets pinged and not yet answered; a socket found here at its next turn is gone.
  const waiting = new WeakSet<WebSocket>();
  const sliceOf = new WeakMap<WebSocket, Set<WebSocket>>();
  // One listener of each kind for every socket (called with the socket as `this`), not closures per socket.
  function onPong(this: WebSocket): void {
    waiting.delete(this);
  }
  function onClose(this: WebSocket): void {
    sliceOf.get(this)?.delete(this);
  }
  let next = 0;
  wss.on("connection", (socket) => {
    const slice = slices[next] as Set<WebSocket>;
    next = (next + 1) % SLICES;
    slice.add(socket);
    sliceOf.set(socket, slice);
    socket.on("pong", onPong);
    socket.on("close", onClose);
  });
  let turn = 0;
  const timer = setInterval(
    () => {
      const slice = slices[turn] as Set<WebSocket>;
      turn = (turn + 1) % SLICES;
      for (const socket of slice) {
        if (waiting.has(socket)) {
          slice.delete(socket);
          socket.terminate();
          continue;
        }
        waiting.add(socket);
        socket.ping();
      }
    },
    Math.max(1, intervalMs / SLICES),
  );
  timer.unref();
  return () => clearInterval(timer);
}
