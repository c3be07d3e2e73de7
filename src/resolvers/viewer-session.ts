import {
  BatchStartViewerSessionRevocationCommand,
  type BatchStartViewerSessionRevocationViewerSession,
  StartViewerSessionRevocationCommand,
} from "@aws-sdk/client-ivs";
import type { GatewayContext } from "../context.ts";
import { callIvs } from "../ivs/errors.ts";
import { validateIvsInput } from "../ivs/validate.ts";

interface ViewerSessionInput {
  channelArn: string;
  viewerId: string;
  viewerSessionVersionsLessThanOrEqualTo?: number | null;
}

/** A revocation IVS accepted: sessions of the viewer with a version ≤ the given one are being ended. */
export interface ViewerSessionRevocation {
  channelArn: string;
  viewerId: string;
  viewerSessionVersionsLessThanOrEqualTo: number;
}

/** A batch entry IVS refused, as IVS reports it (its codes are not documented, so they are passed on). */
export interface ViewerSessionRevocationFailure {
  channelArn: string;
  viewerId: string;
  code?: string;
  message?: string;
}

function session(input: ViewerSessionInput): BatchStartViewerSessionRevocationViewerSession {
  return {
    channelArn: input.channelArn,
    viewerId: input.viewerId,
    viewerSessionVersionsLessThanOrEqualTo: input.viewerSessionVersionsLessThanOrEqualTo ?? undefined,
  };
}

/** IVS's default version is 0: only sessions with version 0 (or none) are revoked. */
const accepted = (s: BatchStartViewerSessionRevocationViewerSession): ViewerSessionRevocation => ({
  channelArn: s.channelArn as string,
  viewerId: s.viewerId as string,
  viewerSessionVersionsLessThanOrEqualTo: s.viewerSessionVersionsLessThanOrEqualTo ?? 0,
});

export async function startViewerSessionRevocation(
  ctx: GatewayContext,
  { input }: { input: ViewerSessionInput },
): Promise<ViewerSessionRevocation> {
  const request = session(input);
  validateIvsInput("StartViewerSessionRevocationRequest", request);
  await callIvs(() => ctx.ivs.send(new StartViewerSessionRevocationCommand(request)));
  return accepted(request);
}

/**
 * Up to 20 revocations in one call. A refused entry does not fail the call: IVS lists it in `errors`
 * and the gateway returns it as data beside the accepted ones.
 */
export async function batchStartViewerSessionRevocation(
  ctx: GatewayContext,
  { input }: { input: { viewerSessions: readonly ViewerSessionInput[] } },
) {
  const viewerSessions = input.viewerSessions.map(session);
  validateIvsInput("BatchStartViewerSessionRevocationRequest", { viewerSessions });
  const out = await callIvs(() =>
    ctx.ivs.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions })),
  );
  const errors: ViewerSessionRevocationFailure[] = (out.errors ?? []).map((e) => ({
    channelArn: e.channelArn as string,
    viewerId: e.viewerId as string,
    code: e.code,
    message: e.message,
  }));
  const refused = new Set(errors.map((e) => JSON.stringify([e.channelArn, e.viewerId])));
  return {
    revocations: viewerSessions
      .filter((s) => !refused.has(JSON.stringify([s.channelArn, s.viewerId])))
      .map(accepted),
    errors,
  };
}
