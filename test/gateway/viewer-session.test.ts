import {
  AccessDeniedException,
  CreateChannelCommand,
  type IvsClient,
  PendingVerification,
  ThrottlingException,
} from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { revokedVersion } from "../../emulator/operations/viewer-session.ts";
import { createGatewayApp } from "../../src/app.ts";
import type { LiveHub } from "../../src/live/live-hub.ts";
import { Mirror } from "../../src/mirror/mirror.ts";
import { type GatewayHarness, type GraphQLResult, useGateway } from "./harness.ts";
import { TEST_AUTH_HEADERS, TEST_SECURITY } from "./test-auth.ts";

const ERRORS = `... on Error { message retriable }
    ... on ValidationError { field }
    ... on NotFoundError { missingArn: arn }`;
const START = `mutation ($input: StartViewerSessionRevocationInput!) {
  startViewerSessionRevocation(input: $input) {
    __typename
    ... on ViewerSessionRevocation { channelArn viewerId viewerSessionVersionsLessThanOrEqualTo }
    ${ERRORS}
  }
}`;
const BATCH = `mutation ($input: BatchStartViewerSessionRevocationInput!) {
  batchStartViewerSessionRevocation(input: $input) {
    __typename
    ... on BatchStartViewerSessionRevocationPayload {
      revocations { channelArn viewerId viewerSessionVersionsLessThanOrEqualTo }
      errors { channelArn viewerId code message }
    }
    ${ERRORS}
  }
}`;
const MISSING = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";

type Result = Record<string, unknown> & { __typename: string };

async function mutate(h: Pick<GatewayHarness, "gql">, query: string, input: unknown): Promise<Result> {
  const res = await h.gql<Record<string, Result>>(query, { input });
  expect(res.errors).toBeUndefined();
  return Object.values(res.data ?? {})[0] as Result;
}

describe("viewer session revocation", () => {
  const h = useGateway();
  let channelArn: string;
  beforeEach(async () => {
    const out = await h.ivs.send(new CreateChannelCommand({ authorized: true }));
    channelArn = out.channel?.arn as string;
    await h.resetCounts();
  });

  it("starts a revocation, defaulting the version to 0 as IVS does", async () => {
    expect(await mutate(h, START, { channelArn, viewerId: "viewer-1" })).toEqual({
      __typename: "ViewerSessionRevocation",
      channelArn,
      viewerId: "viewer-1",
      viewerSessionVersionsLessThanOrEqualTo: 0,
    });
    expect(revokedVersion(h.emulator.store, channelArn, "viewer-1")).toBe(0);
    await mutate(h, START, { channelArn, viewerId: "viewer-1", viewerSessionVersionsLessThanOrEqualTo: 7 });
    expect(revokedVersion(h.emulator.store, channelArn, "viewer-1")).toBe(7);
  });

  it("returns NotFoundError for a missing channel", async () => {
    expect(await mutate(h, START, { channelArn: MISSING, viewerId: "v" })).toMatchObject({
      __typename: "NotFoundError",
      missingArn: MISSING,
    });
  });

  it("refuses bad input naming the field, without calling IVS", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ channelArn, viewerId: "x".repeat(41) }, "input.viewerId"],
      [{ channelArn, viewerId: "" }, "input.viewerId"],
      [
        { channelArn, viewerId: "v", viewerSessionVersionsLessThanOrEqualTo: -1 },
        "input.viewerSessionVersionsLessThanOrEqualTo",
      ],
      [
        { channelArn: "arn:aws:ivs:us-west-2:123456789012:stream-key/abc", viewerId: "v" },
        "input.channelArn",
      ],
    ];
    for (const [input, field] of cases)
      expect(await mutate(h, START, input), field).toMatchObject({ __typename: "ValidationError", field });
    expect(h.count("StartViewerSessionRevocation")).toBe(0);
  });

  it("batches revocations, returning refused entries as data beside the accepted ones", async () => {
    const result = await mutate(h, BATCH, {
      viewerSessions: [
        { channelArn, viewerId: "a" },
        { channelArn: MISSING, viewerId: "b" },
        { channelArn, viewerId: "c", viewerSessionVersionsLessThanOrEqualTo: 3 },
      ],
    });
    expect(result).toEqual({
      __typename: "BatchStartViewerSessionRevocationPayload",
      revocations: [
        { channelArn, viewerId: "a", viewerSessionVersionsLessThanOrEqualTo: 0 },
        { channelArn, viewerId: "c", viewerSessionVersionsLessThanOrEqualTo: 3 },
      ],
      errors: [{ channelArn: MISSING, viewerId: "b", code: expect.any(String), message: expect.any(String) }],
    });
    expect(h.count("BatchStartViewerSessionRevocation")).toBe(1);
    expect(revokedVersion(h.emulator.store, channelArn, "c")).toBe(3);
  });

  it("refuses a batch IVS would refuse as a whole, without calling IVS", async () => {
    const session = { channelArn, viewerId: "v" };
    const cases: [unknown[], string][] = [
      [[], "input.viewerSessions"],
      [Array.from({ length: 21 }, () => session), "input.viewerSessions"],
      [[session, { channelArn, viewerId: "y".repeat(41) }], "input.viewerSessions[1].viewerId"],
    ];
    for (const [viewerSessions, field] of cases)
      expect(await mutate(h, BATCH, { viewerSessions }), field).toMatchObject({
        __typename: "ValidationError",
        field,
      });
    expect(h.count("BatchStartViewerSessionRevocation")).toBe(0);
  });

  it("returns a retriable ThrottledError when IVS throttles", async () => {
    h.emulator.setFaults({ throttleRate: 1, operations: ["StartViewerSessionRevocation"] });
    try {
      expect(await mutate(h, START, { channelArn, viewerId: "v" })).toMatchObject({
        __typename: "ThrottledError",
        retriable: true,
      });
    } finally {
      h.emulator.setFaults({ throttleRate: 0, operations: undefined });
    }
  });
});

/** Failures the emulator cannot produce (IAM, account state), from a client that always fails. */
describe("viewer session revocation when IVS refuses the account", () => {
  const failingWith = (error: Error) => {
    const ivs = { send: async () => Promise.reject(error) } as unknown as IvsClient;
    // No subscription runs here, so the live hub is never touched.
    const yoga = createGatewayApp({
      ivs,
      live: {} as LiveHub,
      mirror: new Mirror({ ivs }),
      graphiql: false,
      logging: false,
      security: TEST_SECURITY,
    });
    const gateway: Pick<GatewayHarness, "gql"> = {
      gql: async <T>(query: string, variables?: Record<string, unknown>) => {
        const res = await yoga.fetch("http://gateway/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...TEST_AUTH_HEADERS },
          body: JSON.stringify({ query, variables }),
        });
        return (await res.json()) as GraphQLResult<T>;
      },
    };
    return gateway;
  };
  const input = { channelArn: MISSING, viewerId: "v" };
  const meta = { $metadata: {}, message: "refused" };

  it.each([
    ["AccessDeniedError", new AccessDeniedException(meta), false],
    ["PendingVerificationError", new PendingVerification(meta), false],
    ["ThrottledError", new ThrottlingException(meta), true],
  ])("maps IVS's refusal to %s", async (typename, error, retriable) => {
    const gateway = failingWith(error);
    expect(await mutate(gateway, START, input)).toMatchObject({ __typename: typename, retriable });
    expect(await mutate(gateway, BATCH, { viewerSessions: [input] })).toMatchObject({ __typename: typename });
  });
});
