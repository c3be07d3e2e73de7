import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`); Playwright's own browser downloads do not work here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where test runs leave their screenshots (ignored by git). */
export const SCREENSHOTS = join(process.cwd(), "test-results", "screenshots");

export interface TestBrowser {
  page: Page;
  context: BrowserContext;
  /** Saves a full-page PNG under test-results/screenshots and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Closes this browser context (its pages, storage and sockets); the Chromium process stays for others. */
  close(): Promise<void>;
}

/** One Chromium per test process, launched on first use: a launch costs about a CPU-second. */
let chromiumProcess: Promise<Browser> | undefined;

/**
 * A fresh browser context (its own cookies, storage and cache, as a new profile would have) and page in
 * real headless Chromium through playwright-core, started the way this machine needs: Playwright's own
 * temporary profile, no sandbox (CI runs as root), no background networking (the closed network refuses
 * it loudly). A file that opens one closes Chromium after its tests with `closeChromium`.
 */
export async function openBrowser(): Promise<TestBrowser> {
  chromiumProcess ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const browser = await chromiumProcess;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  return {
    page,
    context,
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
    },
  };
}

/** Closes the Chromium process `openBrowser` started, if any (call in the file's `afterAll`). */
export async function closeChromium(): Promise<void> {
  const launched = chromiumProcess;
  chromiumProcess = undefined;
  await (await launched?.catch(() => undefined))?.close();
}
