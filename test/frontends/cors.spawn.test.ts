import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeChromium, openBrowser, type TestBrowser } from "./browser.ts";
import { startGateway, type TestGateway } from "./gateway.ts";

// One Chromium for the file's tests, each in a fresh context.
afterAll(closeChromium);

/**
 * CORS as a browser enforces it: a page served from another origin calls the gateway with fetch, the way a
 * frontend on its own host does. Only the origin in CORS_ORIGINS gets an answer its script may read.
 */

/** A web app's host: serves one empty page, so that the browser's origin is this server's. */
async function appServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>app</title><p>app</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Outcome {
  status?: number;
  names?: string[];
  requestId?: string | null;
  blocked?: string;
}

/** What the page's script gets from a bearer-token POST to the gateway: the answer, or the browser's refusal. */
function callFrom(browser: TestBrowser, pageUrl: string, gateway: TestGateway): Promise<Outcome> {
  return browser.page.goto(pageUrl).then(() =>
    browser.page.evaluate(
      async ({ endpoint, token }) => {
        try {
          const res = await fetch(endpoint, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: "{ channels { edges { node { name } } } }" }),
          });
          const body = (await res.json()) as {
            data: { channels: { edges: { node: { name: string } }[] } };
          };
          return {
            status: res.status,
            names: body.data.channels.edges.map((e) => e.node.name),
            requestId: res.headers.get("x-request-id"),
          };
        } catch (error) {
          return { blocked: String(error) };
        }
      },
      { endpoint: gateway.endpoint, token: gateway.token },
    ),
  );
}

let allowed: { server: Server; origin: string };
let foreign: { server: Server; origin: string };
let gateway: TestGateway;
let browser: TestBrowser;

beforeAll(async () => {
  allowed = await appServer();
  foreign = await appServer();
  gateway = await startGateway({ CORS_ORIGINS: allowed.origin });
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  for (const s of [allowed, foreign]) s?.server.close();
});

describe("CORS in Chromium", () => {
  it("lets a page on an origin in CORS_ORIGINS read the answer and its exposed headers", async () => {
    const outcome = await callFrom(browser, `${allowed.origin}/`, gateway);
    expect(outcome.blocked).toBeUndefined();
    expect(outcome.status).toBe(200);
    expect(outcome.names).toEqual(expect.arrayContaining(["demo-live", "demo-idle"]));
    expect(outcome.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps the answer from a page on any other origin", async () => {
    const outcome = await callFrom(browser, `${foreign.origin}/`, gateway);
    expect(outcome.status).toBeUndefined();
    expect(outcome.blocked).toMatch(/TypeError|Failed to fetch/);
  });
});
