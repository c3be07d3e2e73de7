import {
  BatchGetStreamKeyCommand,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteStreamKeyCommand,
  GetStreamKeyCommand,
  ListStreamKeysCommand,
  paginateListStreamKeys,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { ACCOUNT, expectIvsError, missingArn, REGION, rawPost } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

describe("with the real limit of one key per channel", () => {
  const h = useEmulator();
  const newChannel = async () => {
    const out = await h.ivs.send(new CreateChannelCommand({}));
    return { channelArn: out.channel?.arn as string, key: out.streamKey };
  };

  it("refuses a second key with 402 ServiceQuotaExceededException", async () => {
    const { channelArn } = await newChannel();
    const err = await expectIvsError(
      h.ivs.send(new CreateStreamKeyCommand({ channelArn })),
      "ServiceQuotaExceededException",
      402,
      channelArn,
    );
    expect(err.exceptionMessage).toBe(err.message);
  });

  it("rotates: delete the key, then create a new one with its own value and tags", async () => {
    const { channelArn, key } = await newChannel();
    const deleted = await h.ivs.send(new DeleteStreamKeyCommand({ arn: key?.arn }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await expectIvsError(
      h.ivs.send(new GetStreamKeyCommand({ arn: key?.arn })),
      "ResourceNotFoundException",
      404,
    );
    const { streamKey } = await h.ivs.send(
      new CreateStreamKeyCommand({ channelArn, tags: { rotated: "yes" } }),
    );
    expect(streamKey).toMatchObject({ channelArn, tags: { rotated: "yes" } });
    expect(streamKey?.arn).toMatch(
      new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:stream-key/[a-zA-Z0-9]{12}$`),
    );
    expect(streamKey?.value).toMatch(new RegExp(`^sk_${REGION}_[a-zA-Z0-9]{12}_[a-zA-Z0-9]{30}$`));
    expect(streamKey?.value).not.toBe(key?.value);
  });

  it("404s for an unknown channel and 400s for a malformed channel ARN", async () => {
    const channelArn = missingArn("channel");
    await expectIvsError(
      h.ivs.send(new CreateStreamKeyCommand({ channelArn })),
      "ResourceNotFoundException",
      404,
      channelArn,
    );
    await expectIvsError(
      h.ivs.send(new CreateStreamKeyCommand({ channelArn: "arn:aws:ivs:us-west-2:1:stream-key/x" })),
      "ValidationException",
      400,
      "channelArn",
    );
  });

  it("GetStreamKey returns the secret value; 404 for unknown keys", async () => {
    const { key } = await newChannel();
    const { streamKey } = await h.ivs.send(new GetStreamKeyCommand({ arn: key?.arn }));
    expect(streamKey).toEqual(key);
    await expectIvsError(
      h.ivs.send(new GetStreamKeyCommand({ arn: missingArn("stream-key") })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new DeleteStreamKeyCommand({ arn: missingArn("stream-key") })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("BatchGetStreamKey reports missing ARNs per item and rejects more than 50", async () => {
    const { key } = await newChannel();
    const missing = missingArn("stream-key");
    const out = await h.ivs.send(new BatchGetStreamKeyCommand({ arns: [key?.arn as string, missing] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.streamKeys).toEqual([key]);
    expect(out.errors).toEqual([
      { arn: missing, code: "ResourceNotFoundException", message: expect.stringContaining(missing) },
    ]);
    const arns = Array.from({ length: 51 }, (_, i) => `${missing}${i}`);
    await expectIvsError(
      h.ivs.send(new BatchGetStreamKeyCommand({ arns })),
      "ValidationException",
      400,
      "arns",
    );
  });

  it("ListStreamKeys returns summaries without the value; 404 for an unknown channel", async () => {
    const { channelArn, key } = await newChannel();
    const { streamKeys } = await h.ivs.send(new ListStreamKeysCommand({ channelArn }));
    expect(streamKeys).toEqual([{ arn: key?.arn, channelArn, tags: {} }]);
    const raw = await rawPost(h.emulator, "ListStreamKeys", { channelArn });
    expect(JSON.stringify(raw.body)).not.toContain(key?.value as string);
    await expectIvsError(
      h.ivs.send(new ListStreamKeysCommand({ channelArn: missingArn("channel") })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("ListStreamKeys accepts page sizes 1..50 only and validates tokens", async () => {
    const { channelArn } = await newChannel();
    const list = (input: { maxResults?: number; nextToken?: string }) =>
      h.ivs.send(new ListStreamKeysCommand({ channelArn, ...input }));
    await expectIvsError(list({ maxResults: 51 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ maxResults: 0 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ nextToken: "%%%" }), "ValidationException", 400, "nextToken");
    expect((await list({ maxResults: 50 })).streamKeys).toHaveLength(1);
  });
});

describe("with three keys allowed per channel", () => {
  const h = useEmulator({ limits: { streamKeysPerChannel: 3 } });

  it("pages ListStreamKeys one key at a time by default", async () => {
    const { channel, streamKey } = await h.ivs.send(new CreateChannelCommand({}));
    const channelArn = channel?.arn as string;
    const second = await h.ivs.send(new CreateStreamKeyCommand({ channelArn }));
    const third = await h.ivs.send(new CreateStreamKeyCommand({ channelArn }));
    const expected = [streamKey?.arn, second.streamKey?.arn, third.streamKey?.arn];

    const first = await h.ivs.send(new ListStreamKeysCommand({ channelArn }));
    expect(first.streamKeys?.map((k) => k.arn)).toEqual([streamKey?.arn]);
    expect(first.nextToken).toBeTruthy();

    const seen: (string | undefined)[] = [];
    for await (const page of paginateListStreamKeys({ client: h.ivs }, { channelArn }))
      seen.push(...(page.streamKeys ?? []).map((k) => k.arn));
    expect(seen).toEqual(expected);

    const all = await h.ivs.send(new ListStreamKeysCommand({ channelArn, maxResults: 50 }));
    expect(all.streamKeys?.map((k) => k.arn)).toEqual(expected);
    expect(all.nextToken).toBeUndefined();
  });

  it("refuses the fourth key", async () => {
    const { channel } = await h.ivs.send(new CreateChannelCommand({}));
    const channelArn = channel?.arn as string;
    await h.ivs.send(new CreateStreamKeyCommand({ channelArn }));
    await h.ivs.send(new CreateStreamKeyCommand({ channelArn }));
    await expectIvsError(
      h.ivs.send(new CreateStreamKeyCommand({ channelArn })),
      "ServiceQuotaExceededException",
      402,
    );
  });
});
