/**
 * The soak's steady traffic, both open-loop (sent on a clock, whatever the answers do, so a slow gateway
 * meets a growing queue instead of a politely waiting client):
 * - queries: channel pages on random channels and dashboard pages, to the replicas in turn; every answer
 *   is classified: ok, HTTP status (5xx counted apart), GraphQL error code, network error or timeout;
 * - broadcasts: start / end / fail / starve / recover through the emulator's control API on random channels,
 *   holding about `liveTarget` channels live, so that IVS events flow through the faulty delivery.
 */
import { percentile, sleep } from "./lib.ts";

export const CHANNEL_PAGE = `query ($arn: String!) { channel(arn: $arn) { name playbackUrl isLive stream { streamId startTime health viewerCount } sessions(first: 5) { edges { node { streamId startTime endTime hasErrorEvent } } } } }`;
export const DASHBOARD = `query ($after: String) { channels(first: 50, after: $after) { edges { node { arn name latencyMode isLive stream { streamId health viewerCount } streamKeys { arn } recordingConfiguration { arn name state } } } pageInfo { hasNextPage endCursor } } }`;

export interface QueryTally {
  sent: number;
  ok: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  http5xx: number;
  /** Answers carrying GraphQL errors, by the first error's `extensions.code` (or "(none)"). */
  errorCodes: Record<string, number>;
  /** No answer: connection refused or reset, or no answer within the timeout. */
  network: Record<string, number>;
  /** A few distinct messages of each kind of failure (at most 2 per kind), for the report. */
  samples: string[];
  okLatencies: number[];
  maxInFlight: number;
  /** Outcomes (ok, a GraphQL error code, HTTP 5xx, network, timeout) by the phase the query was sent in. */
  phases: Record<string, Record<string, number>>;
}

export interface QueryLoad {
  tally: QueryTally;
  /** Stops sending and waits for what is in flight. */
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 30_000;

function sample(t: QueryTally, kind: string, text: string): void {
  const line = `${kind}: ${text}`.slice(0, 200);
  const same = t.samples.filter((x) => x.startsWith(`${kind}:`)).length;
  if (same < 2 && t.samples.length < 16 && !t.samples.includes(line)) t.samples.push(line);
}

/** `rate` queries per second, one in `dashboardEvery` a dashboard page, the others channel pages. */
export function startQueryLoad(opts: {
  urls: string[];
  token: string;
  arns: string[];
  rate: number;
  dashboardEvery: number;
  /** Names the phase of the run a query is sent in (e.g. "Redis down"), for the per-phase tally. */
  phase?: () => string;
}): QueryLoad {
  const tally: QueryTally = {
    sent: 0,
    ok: 0,
    statuses: {},
    http5xx: 0,
    errorCodes: {},
    network: {},
    samples: [],
    okLatencies: [],
    maxInFlight: 0,
    phases: {},
  };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let cursors: (string | undefined)[] = [undefined];
  const one = async (i: number) => {
    const url = opts.urls[i % opts.urls.length] as string;
    const dashboard = i % opts.dashboardEvery === 0;
    const after = dashboard ? cursors[Math.floor(Math.random() * cursors.length)] : undefined;
    const body = dashboard
      ? { query: DASHBOARD, variables: after ? { after } : {} }
      : { query: CHANNEL_PAGE, variables: { arn: opts.arns[Math.floor(Math.random() * opts.arns.length)] } };
    const sent = performance.now();
    const phase = opts.phase?.() ?? "all";
    const count = (outcome: string) => {
      const p = tally.phases[phase] ?? {};
      p[outcome] = (p[outcome] ?? 0) + 1;
      tally.phases[phase] = p;
    };
    try {
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${opts.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
      if (res.status >= 500) {
        tally.http5xx += 1;
        count(`HTTP ${res.status}`);
        sample(tally, `HTTP ${res.status}`, text.slice(0, 120));
      }
      let parsed: {
        data?: { channels?: { pageInfo?: { endCursor?: string } } } | null;
        errors?: { message?: string; extensions?: { code?: string } }[];
      } = {};
      try {
        parsed = JSON.parse(text);
      } catch {}
      const first = parsed.errors?.[0];
      if (first) {
        const code = first.extensions?.code ?? "(none)";
        tally.errorCodes[code] = (tally.errorCodes[code] ?? 0) + 1;
        if (res.status < 500) count(code);
        sample(tally, code, `HTTP ${res.status}, ${first.message ?? ""}`);
      } else if (res.status === 200 && parsed.data) {
        tally.ok += 1;
        count("ok");
        tally.okLatencies.push(performance.now() - sent);
        const cursor = parsed.data.channels?.pageInfo?.endCursor;
        if (cursor && cursors.length < 8 && !cursors.includes(cursor)) cursors = [...cursors, cursor];
      }
    } catch (error) {
      const name = (error as Error).name === "TimeoutError" ? "timeout" : "network";
      tally.network[name] = (tally.network[name] ?? 0) + 1;
      count(name);
      sample(tally, name, (error as Error).message);
    }
  };
  const clock = (async () => {
    const start = performance.now();
    for (let i = 0; !stopped; i++) {
      const wait = start + (i * 1000) / opts.rate - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      tally.sent += 1;
      const p = one(i).finally(() => inFlight.delete(p));
      inFlight.add(p);
      tally.maxInFlight = Math.max(tally.maxInFlight, inFlight.size);
    }
  })();
  return {
    tally,
    async stop() {
      stopped = true;
      await clock;
      await Promise.all([...inFlight]);
    },
  };
}

export const latencyOf = (t: QueryTally) => ({
  p50: percentile(t.okLatencies, 50),
  p99: percentile(t.okLatencies, 99),
});

export interface BroadcastTally {
  actions: Record<string, number>;
  /** Control calls the emulator refused, by message. */
  refused: Record<string, number>;
}

export interface BroadcastDriver {
  tally: BroadcastTally;
  stop(): Promise<void>;
}

type Control = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * `rate` broadcast actions per second over `arns`. The driver alone starts and ends broadcasts, so it knows
 * which channels are live; `live` is the set it starts from (the account's live channels).
 */
export function startBroadcasts(opts: {
  control: Control;
  arns: string[];
  live: string[];
  liveTarget: number;
  rate: number;
}): BroadcastDriver {
  const tally: BroadcastTally = { actions: {}, refused: {} };
  const live = new Set(opts.live);
  const starving = new Set<string>();
  const idle = () => opts.arns.filter((a) => !live.has(a));
  const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
  let stopped = false;
  let n = 0;
  const act = async () => {
    n += 1;
    const r = Math.random();
    let action: string;
    let arn: string | undefined;
    if (r < 0.2 && live.size > 0) {
      arn = pick([...live]);
      action = arn && starving.has(arn) ? "recover" : "starve";
    } else {
      const start = live.size < opts.liveTarget || (live.size === opts.liveTarget && n % 2 === 0);
      if (start) {
        action = "start";
        arn = pick(idle());
      } else {
        arn = pick([...live]);
        action = Math.random() < 0.15 ? "fail" : "end";
      }
    }
    if (!arn) return;
    try {
      await opts.control(
        "POST",
        `/broadcasts/${action}`,
        action === "start"
          ? { channelArn: arn, viewerCount: 10 + Math.floor(Math.random() * 500) }
          : { channelArn: arn },
      );
      tally.actions[action] = (tally.actions[action] ?? 0) + 1;
      if (action === "start") live.add(arn);
      if (action === "end" || action === "fail") {
        live.delete(arn);
        starving.delete(arn);
      }
      if (action === "starve") starving.add(arn);
      if (action === "recover") starving.delete(arn);
    } catch (error) {
      const key = `${action}: ${(error as Error).message.slice(0, 120)}`;
      tally.refused[key] = (tally.refused[key] ?? 0) + 1;
    }
  };
  const clock = (async () => {
    const start = performance.now();
    for (let i = 0; !stopped; i++) {
      const wait = start + (i * 1000) / opts.rate - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      // One at a time: the driver's picture of which channels are live must follow its own calls.
      await act();
    }
  })();
  return {
    tally,
    async stop() {
      stopped = true;
      await clock;
    },
  };
}
