import { request as httpRequest } from "node:http";
import type { WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_HEADERS } from "../../src/auth/local-page.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { scriptJson } from "../../src/pages/live-status.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";
import { closeChromium, openBrowser, type TestBrowser } from "./browser.ts";

// One Chromium for the file's tests, each in a fresh context.
afterAll(closeChromium);

/** The page's own budget for showing a change: from the broadcast's start (or end) to the badge. */
const WITHIN_MS = 1000;

const rowStatus = ({ arn, status }: { arn: string; status: string }) =>
  document.querySelector<HTMLElement>(`tr[data-arn="${arn}"]`)?.dataset.status === status;

/** GET with exactly these headers (fetch would not let a test set Host). */
function get(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

async function control(gateway: Gateway, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${gateway.emulatorUrl}/_emulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

describe("the live status page, broadcasts driven by the test", () => {
  let gateway: Gateway;
  let channels: Record<string, string>;
  const browsers: TestBrowser[] = [];
  beforeAll(async () => {
    gateway = buildGateway(
      loadConfig({ PORT: "0", LOG_LEVEL: "silent", EMULATOR_PORT: "0", DEMO_BROADCASTS: "false" }),
      { emulator: { recordingActivationMs: 0, broadcasts: { recordingEndDelayScale: 0 } } },
    );
    await gateway.start();
    channels = gateway.demo?.channels ?? {};
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await gateway?.stop();
  });
  const browser = async () => {
    const b = await openBrowser();
    browsers.push(b);
    return b;
  };

  it("lists the channels, shows a broadcast LIVE and OFFLINE within a second, over one WebSocket", async () => {
    const { page, screenshot } = await browser();
    const requests: string[] = [];
    const sockets: string[] = [];
    const sent: string[] = [];
    const problems: string[] = [];
    page.on("request", (r) => requests.push(`${r.resourceType()} ${r.url()}`));
    page.on("websocket", (ws) => {
      sockets.push(ws.url());
      ws.on("framesent", (f) => sent.push(String(JSON.parse(String(f.payload)).type)));
    });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));

    await page.goto(`${gateway.url}/live`);
    await page.waitForFunction(() => document.querySelectorAll("tr[data-arn]").length === 4);
    const names = await page.$$eval("tr[data-arn] .name", (els) => els.map((e) => e.textContent));
    // In name order.
    expect(names).toEqual(["demo-idle", "demo-live", "demo-recorded", "demo-restricted"]);
    await page.waitForFunction(rowStatus, { arn: channels["demo-live"] as string, status: "LIVE" });
    expect(await page.getAttribute(`tr[data-arn="${channels["demo-idle"]}"]`, "data-status")).toBe("OFFLINE");
    expect(await page.getAttribute("#connection", "data-state")).toBe("open");
    expect(await page.textContent("#count-live")).toBe("1");
    const afterLoad = requests.length;

    const idle = channels["demo-idle"] as string;
    const started = Date.now();
    await control(gateway, "/broadcasts/start", { channelArn: idle, viewerCount: 3 });
    await page.waitForFunction(
      rowStatus,
      { arn: idle, status: "LIVE" },
      { timeout: Math.max(1, WITHIN_MS - (Date.now() - started)) },
    );

    // A starving broadcast for the screenshot, and the uptime of the live ones ticking.
    const recorded = channels["demo-recorded"] as string;
    await control(gateway, "/broadcasts/start", { channelArn: recorded, viewerCount: 12 });
    await control(gateway, "/broadcasts/starve", { channelArn: recorded });
    await page.waitForFunction(rowStatus, { arn: recorded, status: "STARVING" });
    expect(await page.textContent(`tr[data-arn="${recorded}"] .health`)).toBe("Starving");
    const uptime = `tr[data-arn="${idle}"] .uptime`;
    const firstUptime = await page.textContent(uptime);
    expect(firstUptime).toMatch(/^\d+:\d\d$/);
    await page.waitForFunction(
      ({ selector, before }) => document.querySelector(selector)?.textContent !== before,
      { selector: uptime, before: firstUptime },
    );
    expect(await page.textContent("#count-live")).toBe("3");
    expect(await page.textContent("#count-starving")).toBe("1");
    await screenshot("live-page");

    const ended = Date.now();
    await control(gateway, "/broadcasts/end", { channelArn: idle });
    await page.waitForFunction(
      rowStatus,
      { arn: idle, status: "OFFLINE" },
      { timeout: Math.max(1, WITHIN_MS - (Date.now() - ended)) },
    );
    expect(await page.textContent(uptime)).toBe("—");
    await control(gateway, "/broadcasts/end", { channelArn: recorded });
    await page.waitForFunction(rowStatus, { arn: recorded, status: "OFFLINE" });

    // No polling: after the page loaded, no HTTP request at all; one socket; on it, the list and one subscription.
    expect(requests.slice(afterLoad)).toEqual([]);
    expect(requests).toEqual([`document ${gateway.url}/live`]);
    expect(sockets).toEqual([`${gateway.url.replace("http", "ws")}/graphql`]);
    expect(sent.filter((t) => t !== "pong")).toEqual(["connection_init", "subscribe", "subscribe"]);
    // Nothing blocked by the page's Content-Security-Policy, no script error.
    expect(problems).toEqual([]);
  });

  it("asks for a token when the page comes without one, keeps it in sessionStorage only", async () => {
    const { page, screenshot } = await browser();
    // A navigation started by another site's page (localhost and 127.0.0.1 are different sites), as a link
    // on a stranger's page would be: Sec-Fetch-Site is cross-site, so the gateway leaves the token out.
    const elsewhere = `${gateway.url.replace("127.0.0.1", "localhost")}/health`;
    const crossSite = async () => {
      await page.goto(elsewhere);
      await Promise.all([
        page.waitForURL(`${gateway.url}/live`),
        page.evaluate((to) => {
          location.href = to;
        }, `${gateway.url}/live`),
      ]);
    };
    await crossSite();
    await page.waitForSelector("#token-form:not([hidden])");
    expect(await page.content()).not.toContain(gateway.devToken);
    await screenshot("live-page-token");

    await page.fill("#token-input", "not-a-token");
    await page.click("#token-form button");
    await page.waitForFunction(() => /refused/.test(document.getElementById("banner")?.textContent ?? ""));
    await page.waitForSelector("#token-form:not([hidden])");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.fill("#token-input", `Bearer ${gateway.devToken}`);
    await page.click("#token-form button");
    await page.waitForFunction(() => document.querySelectorAll("tr[data-arn]").length === 4);
    expect(await page.getAttribute("#connection", "data-state")).toBe("open");
    const stored = await page.evaluate(() => ({
      session: Object.values({ ...sessionStorage }),
      local: localStorage.length,
      cookie: document.cookie,
    }));
    expect(stored).toEqual({ session: [gateway.devToken], local: 0, cookie: "" });

    // Coming back in the same tab, again without the token in the page, it connects with the kept one.
    await crossSite();
    await page.waitForFunction(() => document.querySelectorAll("tr[data-arn]").length === 4);
    expect(await page.textContent("#live-config")).not.toContain(gateway.devToken);
    expect(await page.isHidden("#token-form")).toBe(true);
  });

  it("reconnects after the connection drops and catches up with what changed meanwhile", async () => {
    const { page } = await browser();
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    await page.goto(`${gateway.url}/live`);
    await page.waitForFunction(() => document.querySelectorAll("tr[data-arn]").length === 4);
    await page.waitForSelector('#connection[data-state="open"]');

    const restricted = channels["demo-restricted"] as string;
    await sockets[0]?.close({ code: 1011, reason: "dropped by the test" });
    await page.waitForSelector('#connection[data-state="retrying"]');
    expect(await page.textContent("#banner")).toContain("Showing the last known status");
    expect(await page.getAttribute("#card", "class")).toContain("stale");
    await control(gateway, "/broadcasts/start", { channelArn: restricted, viewerCount: 5 });

    await page.waitForSelector('#connection[data-state="open"]');
    await page.waitForFunction(rowStatus, { arn: restricted, status: "LIVE" });
    expect(sockets).toHaveLength(2);
    expect(await page.isHidden("#banner")).toBe(true);
    await control(gateway, "/broadcasts/end", { channelArn: restricted });
    await page.waitForFunction(rowStatus, { arn: restricted, status: "OFFLINE" });
  });

  it("puts the development token in the page only for a local top-level navigation", async () => {
    const url = `${gateway.url}/live`;
    const token = gateway.devToken as string;
    expect(token).toBeTruthy();

    const local = await get(url, {});
    expect(local.status).toBe(200);
    expect(local.body).toContain(token);
    const localDoc = await get(url, { "sec-fetch-site": "none", "sec-fetch-dest": "document" });
    expect(localDoc.body).toContain(token);

    const strangers: Record<string, string>[] = [
      { host: "gateway.example.com" },
      { host: "attacker.example:4000" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { "sec-fetch-dest": "iframe" },
    ];
    for (const headers of strangers) {
      const res = await get(url, headers);
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(res.body, JSON.stringify(headers)).not.toContain(token);
      expect(res.body).toContain('id="token-form"');
    }

    // Never cached or framed; inline code runs by this response's nonce only.
    for (const [name, value] of Object.entries(PAGE_HEADERS))
      if (name !== "content-security-policy") expect(local.headers[name]).toBe(value);
    const csp = String(local.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(local.body).toContain(`<script nonce="${nonce}">`);
    expect((await get(url, {})).headers["content-security-policy"]).not.toBe(csp);
  });

  it("escapes what it puts into the page's script", () => {
    const json = scriptJson({ token: "</script><script>alert(1)</script><!--", sep: "\u2028" });
    expect(json).not.toContain("<");
    expect(json).not.toContain("\u2028");
    expect(JSON.parse(json)).toEqual({ token: "</script><script>alert(1)</script><!--", sep: "\u2028" });
  });

  it("redirects / to /live", async () => {
    const res = await fetch(`${gateway.url}/`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/live");
  });
});

describe("the live status page with the demo schedule (short phases)", () => {
  let gateway: Gateway;
  let b: TestBrowser | undefined;
  beforeAll(async () => {
    gateway = buildGateway(loadConfig({ PORT: "0", LOG_LEVEL: "silent", EMULATOR_PORT: "0" }), {
      emulator: {
        recordingActivationMs: 0,
        broadcasts: { recordingEndDelayScale: 0 },
        demo: { liveMs: 1200, offlineMs: 600, starveMs: 400, viewersEveryMs: 300 },
      },
    });
    await gateway.start();
  });
  afterAll(async () => {
    await b?.close();
    await gateway?.stop();
  });

  it("shows the demo channels going live, starving and offline; demo-live stays live, demo-idle offline", async () => {
    b = await openBrowser();
    const { page } = b;
    const channels = gateway.demo?.channels ?? {};
    await page.goto(`${gateway.url}/live`);
    await page.waitForFunction(() => document.querySelectorAll("tr[data-arn]").length === 4);
    // Every status each row shows, in order, as the page renders it.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      const note = (tr: HTMLElement) => {
        const arn = tr.dataset.arn ?? "";
        const list = seen[arn] ?? [];
        seen[arn] = list;
        if (list.at(-1) !== tr.dataset.status) list.push(tr.dataset.status ?? "");
      };
      for (const tr of document.querySelectorAll<HTMLElement>("tr[data-arn]")) note(tr);
      new MutationObserver((records) => {
        for (const r of records) note(r.target as HTMLElement);
      }).observe(document.getElementById("rows") as HTMLElement, {
        subtree: true,
        attributes: true,
        attributeFilter: ["data-status"],
      });
    });
    const cycled = (arns: string[]) => {
      const seen = (window as unknown as { seen: Record<string, string[]> }).seen;
      return arns.every((arn) => /LIVE,STARVING,LIVE,OFFLINE/.test((seen[arn] ?? []).join(",")));
    };
    const demoArns = [channels["demo-recorded"], channels["demo-restricted"]] as string[];
    await page.waitForFunction(cycled, demoArns, { timeout: 10_000 });
    await b.screenshot("live-page-demo");
    const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, string[]> }).seen);
    expect(seen[channels["demo-live"] as string]).toEqual(["LIVE"]);
    expect(seen[channels["demo-idle"] as string]).toEqual(["OFFLINE"]);
  });
});

describe("the live status page without channels, and switched off", () => {
  const gateways: Gateway[] = [];
  const start = async (env: Record<string, string>) => {
    const gateway = buildGateway(
      loadConfig({ PORT: "0", LOG_LEVEL: "silent", EMULATOR_PORT: "0", SEED_DEMO_DATA: "false", ...env }),
    );
    gateways.push(gateway);
    await gateway.start();
    return gateway;
  };
  afterAll(async () => {
    for (const g of gateways) await g.stop();
  });

  it("says there are no channels yet", async () => {
    const gateway = await start({});
    const b = await openBrowser();
    try {
      await b.page.goto(`${gateway.url}/live`);
      await b.page.waitForSelector("#empty:not([hidden])");
      expect(await b.page.textContent("#empty")).toContain("No channels yet");
      expect(await b.page.isHidden("#table")).toBe(true);
      expect(await b.page.getAttribute("#connection", "data-state")).toBe("open");
      await b.screenshot("live-page-empty");
    } finally {
      await b.close();
    }
  });

  it("is not served with LIVE_PAGE=false, and / stays a 404", async () => {
    const gateway = await start({ LIVE_PAGE: "false" });
    expect((await fetch(`${gateway.url}/live`)).status).toBe(404);
    const root = await fetch(`${gateway.url}/`, { redirect: "manual" });
    expect(root.status).toBe(404);
    expect(root.headers.get("content-type")).toContain("application/json");
  });
});
