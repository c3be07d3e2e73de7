import type { SecretBox } from "../ivs/secret-box.ts";
import type { Kind, MirrorChange, Resource } from "./changes.ts";

/** The secret members of a resource: a stream key's value, a channel's SRT passphrase. */
type Secret = { value?: string; passphrase?: string };

/** `value` without its secrets, and the secrets apart (undefined when it has none). */
export function splitSecrets(kind: Kind, value: Resource): { open: Resource; secret?: Secret } {
  if (kind === "stream-key" && typeof value.value === "string") {
    const { value: secret, ...open } = value;
    return { open, secret: { value: secret as string } };
  }
  const srt = value.srt as { passphrase?: string } | undefined;
  if (kind === "channel" && typeof srt?.passphrase === "string") {
    const { passphrase, ...rest } = srt;
    return { open: { ...value, srt: rest }, secret: { passphrase } };
  }
  return { open: value };
}

export function joinSecrets(kind: Kind, open: Resource, secret: Secret | undefined): Resource {
  if (!secret) return open;
  if (kind === "stream-key" && secret.value !== undefined) return { ...open, value: secret.value };
  if (kind === "channel" && secret.passphrase !== undefined)
    return { ...open, srt: { ...(open.srt as object), passphrase: secret.passphrase } };
  return open;
}

/**
 * A change as it may leave the process (Redis): secrets sealed with `box` under `aad`, or dropped
 * without one (replicas then ask IVS for them when a client needs them).
 */
export function sealChange(
  change: MirrorChange,
  box: SecretBox | undefined,
  aad: string,
): { change: MirrorChange; sealed?: string } {
  const items =
    change.op === "put" ? change.items : change.op === "keys" ? change.lists.flatMap((l) => l.keys) : [];
  const kind: Kind | undefined =
    change.op === "put" ? change.kind : change.op === "keys" ? "stream-key" : undefined;
  if (!kind || items.length === 0) return { change };
  const secrets: Record<string, Secret> = {};
  const strip = (item: Resource) => {
    const { open, secret } = splitSecrets(kind, item);
    if (secret && item.arn) secrets[item.arn] = secret;
    return open;
  };
  const open: MirrorChange =
    change.op === "put"
      ? { ...change, items: change.items.map(strip) }
      : change.op === "keys"
        ? { ...change, lists: change.lists.map((l) => ({ ...l, keys: l.keys.map(strip) })) }
        : change;
  if (!box || Object.keys(secrets).length === 0) return { change: open };
  return { change: open, sealed: box.seal(JSON.stringify(secrets), aad) };
}

/** The change with its sealed secrets back in (those that open with `box`). */
export function openChange(
  change: MirrorChange,
  sealed: string | undefined,
  box: SecretBox | undefined,
  aad: string,
): MirrorChange {
  if (!sealed || !box) return change;
  const text = box.open(sealed, aad);
  if (!text) return change;
  const secrets = JSON.parse(text) as Record<string, Secret>;
  const join = (kind: Kind) => (item: Resource) =>
    joinSecrets(kind, item, item.arn ? secrets[item.arn] : undefined);
  if (change.op === "put") return { ...change, items: change.items.map(join(change.kind)) };
  if (change.op === "keys")
    return { ...change, lists: change.lists.map((l) => ({ ...l, keys: l.keys.map(join("stream-key")) })) };
  return change;
}
