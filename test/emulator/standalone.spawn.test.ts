import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateChannelCommand, GetStreamCommand, IvsClient } from "@aws-sdk/client-ivs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_PROGRAM } from "../support/programs.ts";

/** The emulator as a user runs it: `npm run emulator -- ...` in its own process, events to a URL. */
let child: ChildProcess;
let url = "";
let target: Server;
const received: {
  headers: Record<string, unknown>;
  body: { "detail-type": string; detail: Record<string, unknown> };
}[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString();
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(text) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/ivs`;
  child = spawn(
    process.execPath,
    [...EMULATOR_PROGRAM, "--port", "0", "--event-target", targetUrl, "--event-api-key", "standalone-key"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, IVS_EMULATOR_REGION: "eu-west-1" } },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  await new Promise((r) => target.close(r));
});

describe("npm run emulator", () => {
  it("serves the SDK, starts a broadcast with one request and delivers its events to the target", async () => {
    const ivs = new IvsClient({
      region: "eu-west-1",
      endpoint: url,
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const { channel } = await ivs.send(new CreateChannelCommand({ name: "standalone" }));
    expect(channel?.arn).toMatch(/^arn:aws:ivs:eu-west-1:123456789012:channel\//);
    const start = await fetch(`${url}/_emulator/broadcasts/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channelArn: channel?.arn }),
    });
    expect(start.status).toBe(200);
    const stream = await ivs.send(new GetStreamCommand({ channelArn: channel?.arn }));
    expect(stream.stream?.state).toBe("LIVE");
    const cloudTrail = (r: (typeof received)[number]) =>
      r.body["detail-type"] === "AWS API Call via CloudTrail";
    const ivsEvents = () => received.filter((r) => !cloudTrail(r));
    await expect.poll(() => ivsEvents().length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(ivsEvents().map((r) => r.body.detail.event_name)).toEqual(["Session Created", "Stream Start"]);
    expect(received.filter(cloudTrail).map((r) => r.body.detail.eventName)).toEqual(["CreateChannel"]);
    expect(received[0]?.headers["x-api-key"]).toBe("standalone-key");
    ivs.destroy();
  });

  it("stops cleanly on SIGTERM", async () => {
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
