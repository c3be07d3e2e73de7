import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";

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
});
