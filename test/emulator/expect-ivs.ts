import { expect } from "vitest";
import type { Emulator } from "../../emulator/index.ts";

/** What the SDK throws for a service error: the modeled class name, the status and the message. */
export interface IvsFailure extends Error {
  $metadata: { httpStatusCode?: number };
  exceptionMessage?: string;
}

/** Awaits a call that must fail and returns the SDK's error; a success fails the test. */
export async function failure(call: Promise<unknown>): Promise<IvsFailure> {
  const outcome = await call.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome))
    throw new Error(`expected the call to fail, got ${JSON.stringify(outcome.value)}`);
  const error = outcome.error;
  if (!(error instanceof Error) || !("$metadata" in error)) throw error;
  return error as IvsFailure;
}

/**
 * Asserts a call fails with `name` and HTTP `status`, and that the message contains each fragment
 * (for ValidationException: the member the service names).
 */
export async function expectIvsError(
  call: Promise<unknown>,
  name: string,
  status: number,
  ...fragments: string[]
): Promise<IvsFailure> {
  const error = await failure(call);
  expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name, status });
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

/**
 * Marks a channel live by putting a stream in the store, as the broadcast simulator does on Stream Start.
 * Tests of operations that only care whether a channel is live need no encoder.
 */
export function goLive(emulator: Emulator, channelArn: string): void {
  const id = channelArn.slice(channelArn.lastIndexOf("/") + 1);
  emulator.store.streams.set(channelArn, {
    channelArn,
    streamId: `st-${`${id}00000000000000000000000`.slice(0, 23)}`,
    playbackUrl: `https://example.invalid/${id}.m3u8`,
    startTime: new Date().toISOString(),
    state: "LIVE",
    health: "HEALTHY",
    viewerCount: 0,
  });
}

/** POSTs a raw restJson1 request, to see members the SDK would drop or to send what it would not. */
export async function rawPost(emulator: Emulator, operation: string, body: unknown) {
  const res = await fetch(`${emulator.url}/${operation}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A name no other test in the run uses, so tests sharing one emulator can filter their own resources. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

export const ACCOUNT = "123456789012";
export const REGION = "us-west-2";
/** An ARN of the given type that names nothing in the emulator. */
export const missingArn = (type: string) => `arn:aws:ivs:${REGION}:${ACCOUNT}:${type}/missing0000a`;
