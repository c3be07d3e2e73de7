/**
 * Whether a request is a person opening one of the gateway's pages (GraphiQL, the live status page) in a
 * browser on this machine, as a top-level page. Only then may development mode put its token into the
 * page: a cross-site page cannot fetch it (Sec-Fetch-Site), frame it (Sec-Fetch-Dest) or reach it
 * through DNS rebinding (the Host header must name the loopback interface). Browsers set the Sec-Fetch-*
 * headers themselves and scripts cannot forge them; tools such as curl send none and are local anyway.
 */
export function isLocalNavigation(header: (name: string) => string | null | undefined): boolean {
  const host = header("host");
  if (!host || !LOOPBACK_HOST.test(host)) return false;
  const site = header("sec-fetch-site");
  if (site && site !== "none" && site !== "same-origin") return false;
  const dest = header("sec-fetch-dest");
  return !dest || dest === "document";
}

/** localhost, 127.x.x.x or [::1], with an optional port. */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

/** Headers of a page that may hold a development token: never cached, never framed. */
export const PAGE_HEADERS = {
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
} as const;
