import type {
  BatchStartViewerSessionRevocationRequest,
  StartViewerSessionRevocationRequest,
} from "@aws-sdk/client-ivs";
import { notFound } from "../errors.ts";
import type { Store } from "../state/store.ts";
import { op } from "./context.ts";

/**
 * Revocations by store, then channel ARN, then viewer id: the highest version revoked. Kept beside the
 * store rather than in it because it is not an IVS resource (nothing lists or persists it); keying by
 * store keeps two emulators in one process apart.
 */
const revocations = new WeakMap<Store, Map<string, Map<string, number>>>();

function revoke(store: Store, channelArn: string, viewerId: string, version: number): void {
  const byChannel = revocations.get(store) ?? new Map<string, Map<string, number>>();
  revocations.set(store, byChannel);
  const byViewer = byChannel.get(channelArn) ?? new Map<string, number>();
  byChannel.set(channelArn, byViewer);
  // A later call with a lower version cannot un-revoke sessions an earlier call covered.
  byViewer.set(viewerId, Math.max(version, byViewer.get(viewerId) ?? -1));
}

/**
 * The highest `aws:viewer-session-version` revoked for a viewer on a channel, or undefined if none was:
 * a playback token with that viewer id and a version ≤ this number is refused.
 */
export function revokedVersion(store: Store, channelArn: string, viewerId: string): number | undefined {
  return revocations.get(store)?.get(channelArn)?.get(viewerId);
}

export const viewerSessionOperations = {
  StartViewerSessionRevocation: op<StartViewerSessionRevocationRequest>((input, ctx) => {
    const channelArn = input.channelArn as string;
    if (!ctx.store.channels.has(channelArn)) throw notFound(channelArn);
    // The model's default for the version is 0: without it only version-0 (or unversioned) tokens are revoked.
    revoke(
      ctx.store,
      channelArn,
      input.viewerId as string,
      input.viewerSessionVersionsLessThanOrEqualTo ?? 0,
    );
    return {};
  }),

  BatchStartViewerSessionRevocation: op<BatchStartViewerSessionRevocationRequest>((input, ctx) => {
    const errors: { channelArn: string; viewerId: string; code: string; message: string }[] = [];
    for (const session of input.viewerSessions ?? []) {
      const channelArn = session.channelArn as string;
      const viewerId = session.viewerId as string;
      if (!ctx.store.channels.has(channelArn)) {
        errors.push({
          channelArn,
          viewerId,
          code: "ResourceNotFoundException",
          message: `Resource: ${channelArn} not found`,
        });
        continue;
      }
      revoke(ctx.store, channelArn, viewerId, session.viewerSessionVersionsLessThanOrEqualTo ?? 0);
    }
    return { errors };
  }),
};
