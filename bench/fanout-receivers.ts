/**
 * The fan-out benchmark's receiving side: subscriber sockets spread over forked processes
 * (bench/fanout-worker.ts), so that parsing 25,000 messages/s is not what limits the figure.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { FromWorker, ToWorker } from "./fanout-protocol.ts";
import { killOnExit } from "./lib.ts";

const WORKER = fileURLToPath(new URL("./fanout-worker.ts", import.meta.url));

type Reply<T extends FromWorker["type"]> = Extract<FromWorker, { type: T }>;

export interface ReceiverTotals {
  latencies: number[];
  delivered: number;
  errors: number;
  cpuMicros: number;
}

export class Receivers {
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(count: number): Promise<Receivers> {
    const children = await Promise.all(
      Array.from({ length: count }, async () => {
        // Advanced serialization carries the latency arrays without a JSON round trip.
        const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], serialization: "advanced" });
        killOnExit(child);
        await reply(child, "ready");
        return child;
      }),
    );
    return new Receivers(children);
  }

  get size(): number {
    return this.children.length;
  }

  /** Opens the sockets (socket s in process s mod size); returns how many failed to subscribe. */
  async open(token: string, query: string, sockets: { url: string; arn: string }[]): Promise<number> {
    const shares = this.children.map((_, w) => sockets.filter((_, s) => s % this.children.length === w));
    const replies = await this.ask(
      "opened",
      shares.map((share) => ({ type: "open", token, query, sockets: share })),
    );
    return replies.reduce((a, r) => a + r.failed, 0);
  }

  start(tag: string, startAbs: number, intervalMs: number, deadlineAbs: number): void {
    for (const c of this.children)
      c.send({ type: "start", tag, startAbs, intervalMs, deadlineAbs } satisfies ToWorker);
  }

  async delivered(): Promise<number> {
    const replies = await this.ask(
      "count",
      this.children.map(() => ({ type: "count" })),
    );
    return replies.reduce((a, r) => a + r.delivered, 0);
  }

  async finish(): Promise<ReceiverTotals> {
    const replies = await this.ask(
      "result",
      this.children.map(() => ({ type: "finish" })),
    );
    return {
      latencies: replies.flatMap((r) => r.latencies),
      delivered: replies.reduce((a, r) => a + r.delivered, 0),
      errors: replies.reduce((a, r) => a + r.errors, 0),
      cpuMicros: replies.reduce((a, r) => a + r.cpuMicros, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = once(c, "exit");
        c.send({ type: "close" } satisfies ToWorker);
        await exited;
      }),
    );
  }

  private ask<T extends FromWorker["type"]>(type: T, messages: ToWorker[]): Promise<Reply<T>[]> {
    return Promise.all(
      this.children.map((c, i) => {
        const answer = reply(c, type);
        c.send(messages[i] as ToWorker);
        return answer;
      }),
    );
  }
}

function reply<T extends FromWorker["type"]>(child: ChildProcess, type: T): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m as Reply<T>);
    };
    const onExit = (code: number | null) => reject(new Error(`fan-out worker exited with ${code}`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}
