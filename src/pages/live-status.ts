import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLocalNavigation, PAGE_HEADERS } from "../auth/local-page.ts";

/** What the page's script is told: where GraphQL is and, for a local navigation in development, the token. */
export interface LiveStatusPageConfig {
  /** Path of the GraphQL endpoint (WebSocket on the same origin). Default `/graphql`. */
  endpoint?: string;
  /** Development token; absent = the page asks for one. */
  token?: string;
}

export interface LiveStatusPage {
  /** The whole page: one HTML document, its CSS and script inline, allowed to run by `nonce` only. */
  render(config: LiveStatusPageConfig, nonce: string): string;
  /** Serves GET /live: the token goes in only when `isLocalNavigation` vouches for the request. */
  serve(req: IncomingMessage, res: ServerResponse, devToken: string | undefined): void;
}

/** Reads the page's sources (src/pages/live-status.html and .client.js) once; call at start. */
export function loadLiveStatusPage(): LiveStatusPage {
  const template = readFileSync(new URL("./live-status.html", import.meta.url), "utf8");
  const client = readFileSync(new URL("./live-status.client.js", import.meta.url), "utf8");
  const render = (config: LiveStatusPageConfig, nonce: string) =>
    // One pass with a function: nothing inserted is scanned again, and `$` in it is not a pattern.
    template.replace(/__(NONCE|CLIENT)__|"__(CONFIG)__"/g, (_, a?: string, b?: string) => {
      const key = a ?? b;
      if (key === "NONCE") return nonce;
      if (key === "CONFIG") return scriptJson({ endpoint: config.endpoint ?? "/graphql", ...config });
      return client;
    });
  return {
    render,
    serve(req, res, devToken) {
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const token = devToken && isLocalNavigation(header) ? devToken : undefined;
      const nonce = randomBytes(16).toString("base64");
      const html = render(token ? { token } : {}, nonce);
      res.writeHead(200, {
        ...PAGE_HEADERS,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": pagePolicy(nonce),
        // The same URL answers with or without the token depending on these request headers.
        vary: "Host, Sec-Fetch-Site, Sec-Fetch-Dest",
      });
      res.end(html);
    },
  };
}

/**
 * JSON for a `<script type="application/json">` block: `<` escaped so that no value can close the element
 * (`</script>`) or open a comment (`<!--`); U+2028/2029 escaped for any reader that treats it as JS.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Inline code runs only with this response's nonce; the one connection allowed is to this origin. */
function pagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    // PAGE_HEADERS' own policy, kept: the page is never framed.
    "frame-ancestors 'none'",
  ].join("; ");
}

let loaded: LiveStatusPage | undefined;

/** `loadLiveStatusPage().serve`, the sources read on the first request and kept. */
export function serveLiveStatusPage(req: IncomingMessage, res: ServerResponse, devToken: string | undefined) {
  loaded ??= loadLiveStatusPage();
  loaded.serve(req, res, devToken);
}
