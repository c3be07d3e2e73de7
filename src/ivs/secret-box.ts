import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Seals and opens cache values holding secrets (stream key values, SRT passphrases) for Redis. */
export interface SecretBox {
  /** `aad` binds the value to its cache key: a sealed value copied under another key does not open. */
  seal(plain: string, aad: string): string;
  /** Undefined when the value was not sealed with this key and `aad`, or was altered. */
  open(sealed: string, aad: string): string | undefined;
}

const VERSION = "v1";

/** AES-256-GCM with a random 96-bit nonce per value: `v1.<nonce>.<tag>.<ciphertext>` (base64url). */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("the cache secret key must be 32 bytes");
  const seal = (plain: string, aad: string): string => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), body]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  };
  const open = (sealed: string, aad: string): string | undefined => {
    const [version, nonce, tag, body] = sealed.split(".");
    if (version !== VERSION || !nonce || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      return undefined;
    }
  };
  return { seal, open };
}
