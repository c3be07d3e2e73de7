import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

/**
 * With ambient credentials (AUTH_DISABLED: CSRF prevention on) a socket needs no token, and browsers apply no
 * CORS to WebSockets: a page on another site could run mutations over one. Its upgrade is refused unless the
 * Origin is the gateway's own or in CORS_ORIGINS; clients that are not browsers send no Origin.
 */

/** The upgrade's outcome: `open`, or the HTTP status it was refused with. */
function upgrade(url: string, origin?: string): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws", origin ? { origin } : {});
    socket.once("open", () => {
      socket.close();
      resolve("open");
    });
    socket.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once("error", reject);
  });
}

function startGateway(env: Record<string, string>): Promise<Gateway> {
  const gateway = buildGateway(
    loadConfig({ PORT: "0", EMULATOR_PORT: "0", SEED_DEMO_DATA: "false", AUTH_DISABLED: "true", ...env }),
    { logger: createLogger({ level: "silent" }) },
  );
  return gateway.start().then(() => gateway);
}

const gateways: Gateway[] = [];
let open: Gateway;
let wsUrl: string;

beforeAll(async () => {
  open = await startGateway({ CORS_ORIGINS: "https://app.example.com" });
  gateways.push(open);
  wsUrl = `${open.url.replace(/^http/, "ws")}/graphql`;
}, 30_000);

afterAll(async () => {
  for (const g of gateways) await g.stop();
});

describe("graphql-ws upgrades with ambient credentials", () => {
  it("refuses a browser on another site with 403", async () => {
    expect(await upgrade(wsUrl, "https://evil.example")).toBe(403);
  });

  it("accepts the gateway's own pages, an origin in CORS_ORIGINS, and clients without an Origin", async () => {
    expect(await upgrade(wsUrl, open.url)).toBe("open");
    expect(await upgrade(wsUrl, "https://app.example.com")).toBe("open");
    expect(await upgrade(wsUrl)).toBe("open");
  });

  it("checks no origin when CSRF_PREVENTION is turned off", async () => {
    const tokens = await startGateway({ AUTH_DISABLED: "true", CSRF_PREVENTION: "false" });
    gateways.push(tokens);
    expect(await upgrade(`${tokens.url.replace(/^http/, "ws")}/graphql`, "https://evil.example")).toBe(
      "open",
    );
  });
});
