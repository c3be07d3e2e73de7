import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { redactSecrets } from "../../src/redact.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}

describe("createLogger", () => {
  it("redacts stream keys, passphrases, private keys, credentials and auth headers at any depth", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        key: { arn: "arn:aws:ivs:us-west-2:123456789012:stream-key/abc", value: "sk_us-west-2_secret" },
        created: { streamKey: "sk_us-west-2_other" },
        channel: { srt: { endpoint: "srt.example", passphrase: "pass-secret" } },
        keyPair: { privateKey: "-----BEGIN PRIVATE KEY-----" },
        req: { headers: { authorization: "AWS4-HMAC-SHA256 sig", "x-api-key": "api-secret", host: "gw" } },
        auth: { apiKey: "k", token: "t", sessionToken: "st", secretAccessKey: "sak" },
      },
      "something happened",
    );
    const text = JSON.stringify(lines);
    for (const secret of [
      "sk_us-west-2_secret",
      "pass-secret",
      "PRIVATE KEY",
      "sig",
      "api-secret",
      '"t"',
      '"st"',
      "sak",
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain("stream-key/abc");
    expect(text).toContain('"host":"gw"');
    expect(lines[0]?.msg).toBe("something happened");
  });

  it("honours the level", () => {
    const { lines, logger } = capture();
    logger.level = "warn";
    logger.info("hidden");
    logger.warn("shown");
    expect(lines.map((l) => l.msg)).toEqual(["shown"]);
  });

  it("redacts secret-shaped values echoed into any string: messages, error messages and stacks", () => {
    const { lines, logger } = capture();
    const key = "sk_us-west-2_AbCdEfGhIjKl_MnOpQrStUvWxYz0123456789ABCD";
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDB\n-----END PRIVATE KEY-----\n";
    logger.warn({ err: new Error(`bad arn ${key}`), note: `Bearer ${jwt}`, detail: pem }, `got ${key}`);
    const text = JSON.stringify(lines);
    for (const secret of [key, jwt, "MIG2AgEAMBAGByqGSM49"]) expect(text).not.toContain(secret);
    expect(lines[0]?.msg).toBe("got [redacted]");
    expect((lines[0]?.err as { stack?: string } | undefined)?.stack).toMatch(/^Error: bad arn \[redacted\]/);
    expect(lines[0]?.note).toBe("Bearer [redacted]");
  });

  it("masks a URL's password, as connection errors quote it, and keeps the rest", () => {
    expect(redactSecrets("connect ECONNREFUSED redis://app:hunter2@cache:6379/0")).toBe(
      "connect ECONNREFUSED redis://app:[redacted]@cache:6379/0",
    );
  });

  it("leaves ordinary text alone", () => {
    for (const text of [
      "http://127.0.0.1:4000/graphql and redis://cache:6379 and user@example.com",
      "arn:aws:ivs:us-west-2:123456789012:stream-key/AbCdEfGhIjKl",
      "task_list_items and risk_us-west_x",
      "Basic authentication is configured; Bearer tokens are checked",
    ])
      expect(redactSecrets(text)).toBe(text);
  });
});
