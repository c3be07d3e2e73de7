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
  const alive = new WeakMap<WebSocket, boolean>();
  let next = 0;
  wss.on("connection", (socket) => {
    const slice = slices[next] as Set<WebSocket>;
    next = (next + 1) % SLICES;
    alive.set(socket, true);
    slice.add(socket);
    socket.on("pong", () => alive.set(socket, true));
    socket.once("close", () => slice.delete(socket));
  });
  let turn = 0;
  const timer = setInterval(
    () => {
      const slice = slices[turn] as Set<WebSocket>;
      turn = (turn + 1) % SLICES;
      for (const socket of slice) {
        if (!alive.get(socket)) {
          slice.delete(socket);
          socket.terminate();
          continue;
        }
        alive.set(socket, false);
        socket.ping();
      }
    },
    Math.max(1, intervalMs / SLICES),
  );
  timer.unref();
  return () => clearInterval(timer);
}
