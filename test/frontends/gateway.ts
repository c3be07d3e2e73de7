import { loadConfig } from "../../src/config/gateway.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

/**
 * A real gateway as `npm start` builds it: loadConfig's defaults (limits, CSRF, introspection…), the embedded
 * emulator seeded with its demo data, and the development token. Only the ports (any free ones, so that test
 * files running in parallel do not race for the defaults) and the log level differ.
 */
export interface TestGateway {
  gateway: Gateway;
  /** `${url}/graphql` */
  endpoint: string;
  /** `ws://…/graphql` for graphql-ws. */
  wsEndpoint: string;
  token: string;
  /** `{ authorization: "Bearer <token>" }` */
  authHeaders: Record<string, string>;
  /** fetch with the bearer token added to whatever headers the caller sends. */
  authFetch: typeof fetch;
  /** The demo channels' ARNs by name (`demo-live`, `demo-recorded`, `demo-restricted`, `demo-idle`). */
  demoChannels: Record<string, string>;
  stop(): Promise<void>;
}

/** `env` adds to (or overrides) the defaults, e.g. trusted documents (test/documents). */
export async function startGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const gateway = buildGateway(loadConfig({ PORT: "0", EMULATOR_PORT: "0", LOG_LEVEL: "silent", ...env }));
  await gateway.start();
  const token = gateway.devToken;
  if (!token) {
    await gateway.stop();
    throw new Error("the gateway minted no development token (is authentication configured in the env?)");
  }
  const demo = gateway.demo;
  if (!demo) {
    await gateway.stop();
    throw new Error("the gateway seeded no demo data");
  }
  const authHeaders = { authorization: `Bearer ${token}` };
  const authFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set("authorization", authHeaders.authorization);
    return fetch(input, { ...init, headers });
  };
  return {
    gateway,
    endpoint: `${gateway.url}/graphql`,
    wsEndpoint: `${gateway.url.replace(/^http/, "ws")}/graphql`,
    token,
    authHeaders,
    authFetch,
    demoChannels: demo.channels,
    stop: () => gateway.stop(),
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** A POST of one operation with the token; returns the HTTP status and the parsed body. */
export async function postGraphQL<T = Record<string, unknown>>(
  gw: TestGateway,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: GraphQLResponse<T> }> {
  const res = await gw.authFetch(gw.endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<T> };
}
