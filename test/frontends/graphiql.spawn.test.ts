import { type IncomingHttpHeaders, request } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";
import { closeChromium, openBrowser, type TestBrowser } from "./browser.ts";

// One Chromium for the file's tests, each in a fresh context.
afterAll(closeChromium);

// GraphiQL as `npm start` serves it: development mode, demo data and demo broadcasts (phases shortened).
const ENV = { PORT: "0", EMULATOR_PORT: "0", LOG_LEVEL: "silent" };
const DEMO = { demo: { liveMs: 3000, offlineMs: 2000, starveMs: 1000, viewersEveryMs: 1000 } };

/** The text a person sees in a part of the page (Monaco renders spaces as no-break spaces). */
async function shown(page: Page, selector: string): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text, as seen.
  const text = await page.locator(selector).innerText();
  return text.replace(/\u00a0/g, " ");
}

const run = (page: Page) => page.getByRole("button", { name: "Execute query (Ctrl-Enter)" }).click();

/** Opens an example tab and waits until its operation is the one in the editor (GraphiQL switches lazily). */
async function openTab(page: Page, name: string, operation: string) {
  await page.locator(".graphiql-tab-button", { hasText: name }).click();
  await expect.poll(() => shown(page, ".graphiql-query-editor")).toContain(operation);
  await page.waitForTimeout(300);
}
const response = (page: Page) => shown(page, ".graphiql-response");

/** Waits until the result pane's text satisfies `test`; returns that text. */
async function responseWhere(page: Page, test: (text: string) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await response(page).catch(() => "");
    if (test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`GraphiQL's result pane never matched; it shows:\n${text}`);
}

describe("GraphiQL in Chromium, as npm start serves it", () => {
  let gateway: Gateway;
  let browser: TestBrowser;

  beforeAll(async () => {
    gateway = buildGateway(loadConfig(ENV), { emulator: DEMO });
    await gateway.start();
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it("opens with the schema loaded and example tabs, and runs the dashboard query", async () => {
    const { page } = browser;
    const failed: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    // Tall enough that the whole dashboard result is on screen (the result pane renders visible lines only).
    await page.setViewportSize({ width: 1280, height: 2400 });
    await page.goto(`${gateway.url}/graphql`);
    for (const tab of ["Dashboard", "ChannelPage", "CreateChannel", "LiveStatus"])
      await expect.poll(() => page.locator(".graphiql-tab-button", { hasText: tab }).count()).toBe(1);
    // The schema came with the page's credentials: the docs show the root types, not "Error fetching schema".
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await expect
      .poll(() => shown(page, ".graphiql-doc-explorer"), { timeout: 5000 })
      .toContain("subscription: Subscription");
    await run(page);
    const text = await responseWhere(page, (t) => t.includes("demo-idle"), 5000);
    for (const name of ["demo-live", "demo-recorded", "demo-restricted", "demo-idle"])
      expect(text).toContain(name);
    expect(text).not.toMatch(/"errors"|UNAUTHENTICATED/);
    // The token is sent, never shown: the headers editor is empty and nothing was refused.
    await page.getByRole("button", { name: "Headers" }).click();
    expect(await shown(page, ".graphiql-editor-tool")).not.toContain("Bearer");
    expect(failed).toEqual([]);
    await browser.screenshot("graphiql-dashboard");
  });

  it("runs the channelLiveStatus subscription, showing LIVE then OFFLINE as a demo broadcast starts and ends", async () => {
    const { page } = browser;
    await openTab(page, "LiveStatus", "subscription LiveStatus");
    await run(page);
    // The example watches the demo channels; demo-recorded's broadcast goes through the demo's phases,
    // and the pane shows each update as it comes: LIVE, then OFFLINE, then LIVE again.
    const recorded = gateway.demo?.channels["demo-recorded"] as string;
    const shows = (status: string) => (t: string) =>
      t.replace(/\s+/g, "").includes(recorded.replace(/\s+/g, "")) && t.includes(`"status": "${status}"`);
    await responseWhere(page, shows("LIVE"), 15_000);
    await browser.screenshot("graphiql-subscription-live");
    await responseWhere(page, shows("OFFLINE"), 15_000);
    await browser.screenshot("graphiql-subscription-offline");
    await responseWhere(page, shows("LIVE"), 15_000);
    // The subscription is still running (the stop button shows while it does).
    await expect.poll(() => page.getByRole("button", { name: "Stop query (Ctrl-Enter)" }).count()).toBe(1);
  });

  it("keeps working after a restart mints a new token, with a reload and nothing pasted", async () => {
    const port = new URL(gateway.url).port;
    await gateway.stop();
    gateway = buildGateway(loadConfig({ ...ENV, PORT: port, DEMO_BROADCASTS: "false" }));
    await gateway.start();
    const { page } = browser;
    await page.goto(`${gateway.url}/graphql`);
    await openTab(page, "Dashboard", "query Dashboard");
    await run(page);
    const text = await responseWhere(page, (t) => t.includes("demo-idle") || t.includes("errors"), 5000);
    expect(text).not.toMatch(/"errors"|not valid/);
  });
});

describe("GraphiQL's token stays on this machine's own pages", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = buildGateway(loadConfig({ ...ENV, SEED_DEMO_DATA: "false" }));
    await gateway.start();
  });
  afterAll(() => gateway?.stop());

  /** GET /graphql as a browser asks for it, through node:http so that the Host header can be set too. */
  const page = (headers: Record<string, string>) =>
    new Promise<{ text: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = request(
        `${gateway.url}/graphql`,
        { headers: { accept: "text/html", ...headers } },
        (res) => {
          let text = "";
          res.on("data", (d) => {
            text += String(d);
          });
          res.on("end", () => resolve({ text, headers: res.headers }));
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("is in the page a local browser opens, and the page is never cached or framed", async () => {
    const res = await page({ "sec-fetch-site": "none", "sec-fetch-dest": "document" });
    expect(res.text.includes(`Bearer ${gateway.devToken}`)).toBe(true);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });

  it("is not in a page fetched cross-site, framed, or through another host name", async () => {
    for (const headers of <Record<string, string>[]>[
      { "sec-fetch-site": "cross-site", "sec-fetch-dest": "empty" },
      { "sec-fetch-site": "same-origin", "sec-fetch-dest": "iframe" },
      { host: "attacker.example:4000" },
    ]) {
      const { text } = await page(headers);
      expect(text).toContain("renderYogaGraphiQL");
      expect(text.includes(gateway.devToken ?? "no token"), JSON.stringify(headers)).toBe(false);
    }
  });
});
