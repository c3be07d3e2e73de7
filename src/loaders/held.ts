import type { Kind, Resource } from "../mirror/changes.ts";
import type { Mirror } from "../mirror/mirror.ts";

/**
 * What the mirror's reads answer without waiting, for loaders that give it at once (src/loaders/memo.ts):
 * the value when the mirror holds it, else undefined (then the read itself is awaited). On a hit the read
 * is still made, for what it counts (the mirror's lookup metrics and the operation's span); it answers
 * from the same store without waiting, so its promise is not awaited.
 */

/** `mirror.full(kind, arn)` when the full object is held. */
export function heldFull(mirror: Mirror, kind: Kind, arn: string): Resource | null | undefined {
  const collection = mirror.store.of(kind);
  if (!collection.hasDetail(arn)) return undefined;
  void mirror.full(kind, arn);
  return collection.get(arn)?.value ?? null;
}

/** `mirror.resource(kind, arn)` when the resource (a summary or a full object) is held. */
export function heldResource(mirror: Mirror, kind: Kind, arn: string): Resource | undefined {
  const held = mirror.store.get(kind, arn);
  if (!held) return undefined;
  void mirror.resource(kind, arn);
  return held.value;
}

/** `mirror.withSecret(kind, arn)` when the full object is held with its secret member. */
export function heldWithSecret(
  mirror: Mirror,
  kind: "channel" | "stream-key",
  arn: string,
): Resource | undefined {
  const held = mirror.store.get(kind, arn)?.value;
  const secret =
    kind === "stream-key" ? held?.value : (held?.srt as { passphrase?: string } | undefined)?.passphrase;
  if (!held || !mirror.store.of(kind).hasDetail(arn) || secret === undefined) return undefined;
  void mirror.withSecret(kind, arn);
  return held;
}

/** `mirror.keysOf(channelArn)` when the channel's key list is held. */
export function heldKeysOf(mirror: Mirror, channelArn: string): Resource[] | undefined {
  const held = mirror.store.keysOf(channelArn);
  if (!held) return undefined;
  void mirror.keysOf(channelArn);
  return held;
}
