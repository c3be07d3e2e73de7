import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { sha256 } from "../../src/documents/manifest.ts";
import { type GraphQLResponse, startGateway, type TestGateway } from "../frontends/gateway.ts";

/** A temporary directory for manifests; `dispose()` removes it. */
export function tempDir(): { dir: string; write(name: string, content: unknown): string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "trusted-documents-"));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The documents the request tests persist, with their SHA-256 ids. */
export const DOCUMENTS = {
  channels: "query Channels($first: Int!) { channels(first: $first) { edges { node { name arn } } } }",
  live: "subscription Live($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn status } }",
} as const;
export const IDS = { channels: sha256(DOCUMENTS.channels), live: sha256(DOCUMENTS.live) } as const;

/** Apollo's persisted-query-manifest.json for DOCUMENTS, as its generator writes it. */
export function apolloManifest() {
  return {
    format: "apollo-persisted-query-manifest",
    version: 1,
    operations: [
      { id: IDS.channels, name: "Channels", type: "query", body: DOCUMENTS.channels },
      { id: IDS.live, name: "Live", type: "subscription", body: DOCUMENTS.live },
    ],
  };
}

/** A real gateway as test/frontends builds it, with the trusted-documents variables of `env`. */
export const startWithDocuments = (env: Record<string, string>): Promise<TestGateway> => startGateway(env);

/** A POST of any JSON body with the token; the HTTP status and the parsed response. */
export async function post(gw: TestGateway, body: Record<string, unknown>) {
  const res = await gw.authFetch(gw.endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse };
}

/** A GET with these search parameters (objects JSON-encoded) and the token. */
export async function get(gw: TestGateway, params: Record<string, unknown>) {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  const res = await gw.authFetch(`${gw.endpoint}?${search}`, {
    headers: { accept: "application/graphql-response+json" },
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse };
}

/** A graphql-ws client with the token; the caller disposes it. */
export function wsClient(gw: TestGateway): WsClient {
  return createClient({
    url: gw.wsEndpoint,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${gw.token}` },
    retryAttempts: 0,
  });
}

/** Subscribes with this payload and resolves with the first result, or the first error, whichever comes. */
export function firstResult(client: WsClient, payload: Record<string, unknown>): Promise<GraphQLResponse> {
  return new Promise((resolve, reject) => {
    const dispose = client.subscribe(payload as never, {
      next: (value) => {
        dispose();
        resolve(value as GraphQLResponse);
      },
      error: (error) =>
        Array.isArray(error) ? resolve({ errors: error as GraphQLResponse["errors"] }) : reject(error),
      complete: () => {},
    });
  });
}
