import { createPublicKey } from "node:crypto";
import {
  DeletePlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  type ImportPlaybackKeyPairRequest,
  ListPlaybackKeyPairsCommand,
  type PlaybackKeyPair,
  type PlaybackKeyPairSummary,
} from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { pageSizeMax } from "../../model/page-size.ts";
import type { GatewayContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput } from "../ivs/validate.ts";
import type { TagShape } from "../schema/tag.ts";
import type { ConnectionArgs } from "./connection.ts";
import { isListSummary, mirroredConnection } from "./connection.ts";
import { tagsRequest } from "./tags.ts";

/** What the PlaybackKeyPair type resolves from: a full key pair, or a list summary (no fingerprint). */
export type PlaybackKeyPairShape = PlaybackKeyPair | PlaybackKeyPairSummary;

/** The largest page ListPlaybackKeyPairs serves, from the model. */
const LIST_MAX = pageSizeMax(MODEL, "ListPlaybackKeyPairsRequest");

const PUBLIC_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n-----END PUBLIC KEY-----$/;

export function playbackKeyPair(ctx: GatewayContext, args: { arn: string }) {
  return ctx.loaders.playbackKeyPair.load(args.arn);
}

export function playbackKeyPairs(ctx: GatewayContext, args: ConnectionArgs) {
  return mirroredConnection<PlaybackKeyPairShape>(
    ctx.mirror,
    "playback-key-pair",
    args,
    LIST_MAX,
    async (nextToken, maxResults) => {
      const request = { nextToken, maxResults };
      const out = await callIvs(() => ctx.ivs.send(new ListPlaybackKeyPairsCommand(request)));
      const items = out.keyPairs ?? [];
      return { items, nextToken: out.nextToken };
    },
  );
}

/** The fingerprint, which list summaries lack: one deduplicated GetPlaybackKeyPair for those. */
export async function playbackKeyPairFingerprint(ctx: GatewayContext, pair: PlaybackKeyPairShape) {
  if (!isListSummary(pair)) return (pair as PlaybackKeyPair).fingerprint ?? null;
  const full = await ctx.loaders.playbackKeyPair.load(pair.arn as string);
  if (!full) throw new NotFoundError(`Playback key pair ${pair.arn} no longer exists`, pair.arn);
  return full.fingerprint ?? null;
}

/**
 * IVS verifies ES384 playback tokens with the imported key, so it only takes a PEM public key on
 * P-384. Checking that here (a local parse) spares a request that could only fail.
 */
function checkPublicKey(material: string): void {
  const field = "input.publicKeyMaterial";
  if (!PUBLIC_PEM.test(material.trim()))
    throw new ValidationError(
      "publicKeyMaterial must be a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)",
      field,
    );
  let curve: string | undefined;
  try {
    const key = createPublicKey({ key: material.trim(), format: "pem" });
    curve = key.asymmetricKeyType === "ec" ? key.asymmetricKeyDetails?.namedCurve : undefined;
  } catch {
    throw new ValidationError("publicKeyMaterial could not be parsed as a PEM public key", field);
  }
  if (curve !== "secp384r1")
    throw new ValidationError("publicKeyMaterial must be an ECDSA P-384 (secp384r1) public key", field);
}

export async function importPlaybackKeyPair(
  ctx: GatewayContext,
  {
    input,
  }: { input: { publicKeyMaterial: string; name?: string | null; tags?: readonly TagShape[] | null } },
): Promise<PlaybackKeyPair> {
  const request: ImportPlaybackKeyPairRequest = {
    publicKeyMaterial: input.publicKeyMaterial,
    name: input.name ?? undefined,
    tags: tagsRequest(input.tags),
  };
  validateIvsInput("ImportPlaybackKeyPairRequest", request);
  checkPublicKey(input.publicKeyMaterial);
  const out = await callIvs(() => ctx.ivs.send(new ImportPlaybackKeyPairCommand(request)));
  const pair = out.keyPair as PlaybackKeyPair;
  ctx.loaders.playbackKeyPair.prime(pair.arn as string, pair);
  ctx.mirror.wrote("playback-key-pair", pair, out);
  return pair;
}

export async function deletePlaybackKeyPair(
  ctx: GatewayContext,
  { input }: { input: { arn: string } },
): Promise<{ arn: string }> {
  validateIvsInput("DeletePlaybackKeyPairRequest", { arn: input.arn });
  const out = await callIvs(() => ctx.ivs.send(new DeletePlaybackKeyPairCommand({ arn: input.arn })));
  ctx.loaders.playbackKeyPair.clear(input.arn);
  ctx.mirror.removed("playback-key-pair", input.arn, out);
  return { arn: input.arn };
}
