import type { IncomingMessage } from "node:http";
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from "graphql-ws";
import type { RawData, WebSocket, WebSocketServer } from "ws";

/** What each operation's context carries of its connection (as graphql-ws/use/ws gives it). */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

type Closed = (code?: number, reason?: string) => Promise<void>;

/**
 * One socket as graphql-ws's protocol core (`makeServer`) sees it. A class, so that its functions are on
 * the prototype rather than closures per socket.
 */
class ProtocolSocket {
  onMessageHandler: ((data: string) => Promise<void>) | undefined;
  closed: Closed | undefined;

  constructor(private readonly socket: WebSocket) {}

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== this.socket.OPEN) return resolve();
      this.socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handler: (data: string) => Promise<void>): void {
    this.onMessageHandler = handler;
  }
}

/** The close reason of an internal error: the error itself is logged, not sent. */
const INTERNAL = "Internal server error";

/**
 * graphql-ws's `graphql-transport-ws` protocol on a `ws` server, as `graphql-ws/use/ws` runs it, with
 * less held per socket for as long as it stays open:
 * - one listener function of each kind for every socket (called with the socket as `this`) instead of
 *   five closures per socket;
 * - an incoming message's bytes are let go once it is text: use/ws awaits the whole handling of each
 *   message with its buffer in scope, which for a subscribe is the subscription's lifetime;
 * - no keep-alive of its own (src/http/heartbeat.ts pings every socket).
 * Internal errors close the socket with graphql-ws's 4500 and "Internal server error" (use/ws's production reason;
 * the error itself is logged, not sent).
 */
export function serveGraphqlWs(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra>,
  log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  const sockets = new WeakMap<WebSocket, ProtocolSocket>();
  wss.options.handleProtocols = handleProtocols;

  const internalError = (socket: WebSocket, error: unknown) => {
    log("graphql-ws: internal error while handling a message", error);
    socket.close(CloseCode.InternalServerError, INTERNAL);
  };
  function onMessage(this: WebSocket, data: RawData): void {
    const handler = sockets.get(this)?.onMessageHandler;
    if (!handler) return;
    handler(String(data)).catch((error: unknown) => internalError(this, error));
  }
  function onClose(this: WebSocket, code: number, reason: Buffer): void {
    const protocolSocket = sockets.get(this);
    sockets.delete(this);
    void protocolSocket?.closed?.(code, String(reason));
  }
  function onError(this: WebSocket, error: Error): void {
    log("graphql-ws: socket error", error);
    this.close(CloseCode.InternalServerError, INTERNAL);
  }

  wss.once("error", (error) => {
    log("graphql-ws: WebSocket server error", error);
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, INTERNAL);
  });
  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    const protocolSocket = new ProtocolSocket(socket);
    sockets.set(socket, protocolSocket);
    socket.on("error", onError);
    socket.on("message", onMessage);
    socket.on("close", onClose);
    protocolSocket.closed = server.opened(protocolSocket, { socket, request });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
