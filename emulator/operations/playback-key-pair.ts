import { createPublicKey, type KeyObject } from "node:crypto";
import type {
  DeletePlaybackKeyPairRequest,
  GetPlaybackKeyPairRequest,
  ImportPlaybackKeyPairRequest,
  ListPlaybackKeyPairsRequest,
} from "@aws-sdk/client-ivs";
import { conflict, notFound, quotaExceeded, validation } from "../errors.ts";
import { fingerprint } from "../ids.ts";
import { paginate } from "../protocol/pagination.ts";
import type { PlaybackKeyPair } from "../state/types.ts";
import { type OperationContext, op } from "./context.ts";

const PUBLIC_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n-----END PUBLIC KEY-----$/;

/**
 * Parses key material the way the service must to verify ES384 playback tokens: a SubjectPublicKeyInfo
 * PEM holding an EC key on P-384. The PEM header is checked first because node's `createPublicKey` also
 * accepts private keys and certificates (deriving the public half), and a private key must never be
 * accepted as "public key material".
 */
function parseEs384PublicKey(material: string): KeyObject {
  const text = material.trim();
  if (!PUBLIC_PEM.test(text))
    throw validation(
      "publicKeyMaterial must be a PEM-encoded public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)",
    );
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: "pem" });
  } catch {
    throw validation("publicKeyMaterial could not be parsed as a PEM public key");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "secp384r1")
    throw validation(
      "publicKeyMaterial must be an ECDSA P-384 (secp384r1) public key: playback tokens are signed with ES384",
    );
  return key;
}

function getKeyPair(ctx: OperationContext, arn: string): PlaybackKeyPair {
  const pair = ctx.store.playbackKeyPairs.get(arn);
  if (!pair) throw notFound(arn);
  return pair;
}

/** The API shape: the key material stays inside the emulator. */
const view = (p: PlaybackKeyPair) => ({ arn: p.arn, name: p.name, fingerprint: p.fingerprint, tags: p.tags });

export const playbackKeyPairOperations = {
  ImportPlaybackKeyPair: op<ImportPlaybackKeyPairRequest>((input, ctx) => {
    const key = parseEs384PublicKey(input.publicKeyMaterial as string);
    const print = fingerprint(key.export({ type: "spki", format: "der" }));
    // Same DER, same fingerprint: comparing fingerprints catches re-imports that differ only in PEM whitespace.
    const twin = [...ctx.store.playbackKeyPairs.values()].find((p) => p.fingerprint === print);
    if (twin) throw conflict(`This public key has already been imported as playback key pair: ${twin.arn}`);
    if (ctx.store.playbackKeyPairs.size >= ctx.limits.playbackKeyPairs)
      throw quotaExceeded(
        `Maximum number of playback key pairs (${ctx.limits.playbackKeyPairs}) reached for this account`,
      );
    const pair: PlaybackKeyPair = {
      arn: ctx.ids.arn("playback-key"),
      name: input.name ?? "",
      fingerprint: print,
      tags: { ...(input.tags ?? {}) },
      // Normalised SPKI PEM, so whoever verifies playback tokens gets one canonical form.
      publicKeyMaterial: key.export({ type: "spki", format: "pem" }).toString(),
    };
    ctx.store.playbackKeyPairs.set(pair.arn, pair);
    ctx.store.orderOf(pair.arn);
    return { keyPair: view(pair) };
  }),

  GetPlaybackKeyPair: op<GetPlaybackKeyPairRequest>((input, ctx) => ({
    keyPair: view(getKeyPair(ctx, input.arn as string)),
  })),

  ListPlaybackKeyPairs: op<ListPlaybackKeyPairsRequest>((input, ctx) => {
    const all = [...ctx.store.playbackKeyPairs.values()];
    const page = paginate("ListPlaybackKeyPairs", all, (p) => ctx.store.orderOf(p.arn), input, 100);
    return {
      keyPairs: page.items.map((p) => ({ arn: p.arn, name: p.name, tags: p.tags })),
      nextToken: page.nextToken,
    };
  }),

  DeletePlaybackKeyPair: op<DeletePlaybackKeyPairRequest>((input, ctx) => {
    const pair = getKeyPair(ctx, input.arn as string);
    ctx.store.playbackKeyPairs.delete(pair.arn);
    ctx.store.forget(pair.arn);
    // 200 with an empty body, unlike the 204 of the other deletes.
    return {};
  }),
};
