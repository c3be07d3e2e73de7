/**
 * The load generator: GraphQL clients over node:http, one keep-alive connection each (an Agent with one
 * socket per client, as one browser tab), opened before a timed phase; latency from send to parsed answer.
 */
import { Agent, request } from "node:http";
import { percentile, sleep } from "./lib.ts";

export interface GqlError {
  message?: string;
  extensions?: { code?: string; retryAfterMs?: number };
}
export interface GqlAnswer {
  status: number;
  body: { data?: unknown; errors?: GqlError[] };
}

export type Outcome = "ok" | "throttled" | "failed";

/** ok = data and no error; throttled = an error with code THROTTLED; failed = anything else. */
export function outcomeOf(a: GqlAnswer): { outcome: Outcome; retryAfterMs?: number; error?: string } {
  const throttle = a.body.errors?.find((e) => e.extensions?.code === "THROTTLED");
  if (throttle)
    return { outcome: "throttled", retryAfterMs: Number(throttle.extensions?.retryAfterMs ?? 1000) };
  if (a.status !== 200 || a.body.errors || a.body.data == null) {
    const e = a.body.errors?.[0];
    return {
      outcome: "failed",
      error: `${a.status} ${e?.extensions?.code ?? ""} ${e?.message ?? ""}`.trim(),
    };
  }
  return { outcome: "ok" };
}

/**
 * Longest wait for one answer (BENCH_REQUEST_TIMEOUT_S, default 30 s, well past the gateway's 10 s
 * queue deadline): a slower answer is an error, so a gateway that never answers cannot hang a run.
 */
export const REQUEST_TIMEOUT_MS = Number(process.env.BENCH_REQUEST_TIMEOUT_S || 30) * 1000;

export class GqlClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000 });
  private readonly target: URL;
  private readonly headers: Record<string, string>;

  /** `timeoutMs`: an answer slower than this fails the request (a gateway that never answers cannot hang a run). */
  constructor(
    baseUrl: string,
    token: string | undefined,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.target = new URL(`${baseUrl}/graphql`);
    this.headers = {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
  }

  /** One POST; a reused socket the server closed meanwhile (keep-alive timeout) is retried once on a new one. */
  send(query: string, variables?: unknown): Promise<GqlAnswer> {
    const body = JSON.stringify(variables === undefined ? { query } : { query, variables });
    return this.post(body, true);
  }

  private post(body: string, mayRetry: boolean): Promise<GqlAnswer> {
    return new Promise<GqlAnswer>((resolve, reject) => {
      const req = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: "POST",
          agent: this.agent,
          headers: { ...this.headers, "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as GqlAnswer["body"] });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: { errors: [{ message: text.slice(0, 200) }] } });
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: "ETIMEDOUT" }));
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (mayRetry && req.reusedSocket && error.code === "ECONNRESET")
          this.post(body, false).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadStats {
  /** The measured window (requests sent in it count, however late their answers). */
  seconds: number;
  ok: number;
  throttled: number;
  failed: number;
  /** A few distinct failure messages, for the report. */
  failures: string[];
  /** Answered (ok) per second. */
  perSecond: number;
  /** Latency of ok answers, ms. */
  p50: number;
  p99: number;
  /** Latency of every answer (THROTTLED and errors included), ms. */
  p50All: number;
  p99All: number;
  /** This process's CPU time over the phase's wall time (1 = one core busy). */
  loadCpu: number;
}

export const TRIVIAL = "{ __typename }";

/** `n` clients with their connections open (one `{ __typename }` each, in batches, untimed). */
export async function openClients(
  baseUrl: string,
  token: string | undefined,
  n: number,
): Promise<GqlClient[]> {
  const clients = Array.from({ length: n }, () => new GqlClient(baseUrl, token));
  // Connects in batches: 1,000 simultaneous SYNs overflow the accept backlog and measure the kernel.
  for (let i = 0; i < n; i += 100)
    await Promise.all(clients.slice(i, i + 100).map((c) => c.send(TRIVIAL).catch(() => undefined)));
  return clients;
}

export function closeClients(clients: GqlClient[]): void {
  for (const c of clients) c.close();
}

export interface LoadWindow {
  /** Untimed load before the window, same clients, no pause in between. Default 0. */
  warmupMs?: number;
  /** The measured window. */
  ms: number;
  /** Called when the window opens (reset counters, take CPU samples); the window starts once it returns. */
  onStart?: () => Promise<void> | void;
  /** Called when the window closes, before in-flight requests drain (read counters, CPU samples). */
  onEnd?: () => Promise<void> | void;
}

/**
 * Every client loops: builds a request, sends it, waits for the parsed answer. A client told THROTTLED
 * waits its `retryAfterMs` (at most 5 s, and not past the end), like bench/dashboard.ts. Requests sent
 * inside the window count, with their answers however late they come (so a slow tail is not cut off);
 * rates are over the window's length. Nothing is sent after the window; what is in flight is awaited.
 */
export async function runLoad(
  clients: GqlClient[],
  next: () => { query: string; variables?: unknown },
  window: LoadWindow,
): Promise<LoadStats> {
  const okLatencies: number[] = [];
  const all: number[] = [];
  const failures = new Set<string>();
  let ok = 0;
  let throttled = 0;
  let failed = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let end = performance.now() + (window.warmupMs ?? 0) + window.ms;
  let cpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  const counted = (sentAt: number) => sentAt >= windowStart;
  const clock = (async () => {
    if (window.warmupMs) await sleep(window.warmupMs);
    await window.onStart?.();
    const cpu0 = process.cpuUsage();
    windowStart = performance.now();
    end = windowStart + window.ms;
    await sleep(window.ms);
    windowEnd = performance.now();
    cpu = process.cpuUsage(cpu0);
    await window.onEnd?.();
  })();
  const loop = async (client: GqlClient) => {
    while (performance.now() < end) {
      const { query, variables } = next();
      const sent = performance.now();
      try {
        const answer = await client.send(query, variables);
        const at = performance.now();
        const o = outcomeOf(answer);
        if (counted(sent)) {
          all.push(at - sent);
          if (o.outcome === "ok") {
            ok += 1;
            okLatencies.push(at - sent);
          } else if (o.outcome === "throttled") throttled += 1;
          else {
            failed += 1;
            if (failures.size < 5 && o.error) failures.add(o.error.slice(0, 160));
          }
        }
        if (o.outcome === "throttled") {
          const wait = Math.min(5000, o.retryAfterMs ?? 1000, end - performance.now());
          if (wait > 0) await sleep(wait);
        }
      } catch (error) {
        const at = performance.now();
        if (counted(sent)) {
          all.push(at - sent);
          failed += 1;
          if (failures.size < 5) failures.add(`network: ${(error as Error).message}`.slice(0, 160));
        }
      }
    }
  };
  await Promise.all([clock, ...clients.map(loop)]);
  const wall = windowEnd - windowStart;
  return {
    seconds: wall / 1000,
    ok,
    throttled,
    failed,
    failures: [...failures],
    perSecond: ok / (wall / 1000),
    p50: percentile(okLatencies, 50),
    p99: percentile(okLatencies, 99),
    p50All: percentile(all, 50),
    p99All: percentile(all, 99),
    loadCpu: (cpu.user + cpu.system) / 1000 / wall,
  };
}
