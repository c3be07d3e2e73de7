import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** What a drain did, for its log line and for tests. */
export interface DrainReport {
  /** graphql-ws sockets closed with 1001 Going Away. */
  websockets: number;
  /** SSE subscription streams ended (without `complete`, so that clients reconnect). */
  sseStreams: number;
  /** HTTP requests being answered when the drain began (SSE streams excepted). */
  requests: number;
  /** Of those, the ones that finished within the drain timeout. */
  requestsFinished: number;
  /** Of those, the ones still running at the timeout (or at a forced stop), whose connections were closed. */
  requestsCut: number;
  /** How long the HTTP part of the drain took. */
  ms: number;
}

/**
 * The responses a server is writing, so that a drain can wait for them, mark them `connection: close`,
 * and count what it cut. SSE responses are tracked apart: the drain ends them rather than waits.
 */
export class InFlightRequests {
  private readonly open = new Map<ServerResponse, { stream: boolean }>();
  private readonly waiters = new Set<() => void>();
  private closing = false;

  track(req: IncomingMessage, res: ServerResponse): void {
    const stream = req.headers.accept?.includes("text/event-stream") ?? false;
    this.open.set(res, { stream });
    // Keep-alive connections end with their current response: the load balancer opens new ones elsewhere.
    if (this.closing) res.setHeader("connection", "close");
    res.once("close", () => {
      this.open.delete(res);
      if (this.open.size === 0) for (const wake of this.waiters) wake();
    });
  }

  /** Requests being answered, SSE streams excepted. */
  get requests(): number {
    let n = 0;
    for (const { stream } of this.open.values()) if (!stream) n++;
    return n;
  }

  /** From now on every response (those in flight included, if not yet begun) closes its connection. */
  closeConnections(): void {
    this.closing = true;
    for (const res of this.open.keys()) if (!res.headersSent) res.setHeader("connection", "close");
  }

  /** Resolves when nothing is in flight (SSE streams included), or when `cut` or `ms` come first. */
  async settled(ms: number, cut: Promise<void>): Promise<void> {
    if (this.open.size === 0) return;
    let wake = () => {};
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        wake = resolve;
        this.waiters.add(wake);
      }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
      cut,
    ]);
    this.waiters.delete(wake);
    clearTimeout(timer);
  }
}

export interface HttpDrainSteps {
  server: Server;
  requests: InFlightRequests;
  /** How long in-flight requests may take (DRAIN_TIMEOUT_MS). */
  timeoutMs: number;
  /** Resolves when the drain must end now (a second signal, `stop()`). */
  cut: Promise<void>;
  /** Closes the graphql-ws sockets; resolves with how many there were. */
  closeWebSockets: () => Promise<number>;
  /** Ends the SSE streams; returns how many there were. */
  endStreams: () => number;
}

/**
 * Stops accepting (the listening socket closes: new connections are refused; idle keep-alive ones are
 * closed), tells subscribers to reconnect elsewhere, lets in-flight requests finish within `timeoutMs`,
 * then closes whatever is left. Resolves when the server is closed.
 */
export async function drainHttp(steps: HttpDrainSteps): Promise<DrainReport> {
  const { server, requests } = steps;
  const started = Date.now();
  requests.closeConnections();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const requestsAtStart = requests.requests;
  const sseStreams = steps.endStreams();
  const websockets = steps.closeWebSockets();
  await requests.settled(steps.timeoutMs, steps.cut);
  const requestsCut = Math.min(requests.requests, requestsAtStart);
  server.closeAllConnections();
  const [sockets] = await Promise.all([websockets, closed]);
  return {
    websockets: sockets,
    sseStreams,
    requests: requestsAtStart,
    requestsFinished: requestsAtStart - requestsCut,
    requestsCut,
    ms: Date.now() - started,
  };
}
