import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  DeleteChannelCommand,
  ListChannelsCommand,
  type ListChannelsCommandInput,
  paginateListChannels,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { expectIvsError, missingArn, uniqueName } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

// ListChannels lives apart from channel.test.ts to keep both files short; same resource, same emulator setup.
const h = useEmulator();

const create = async (input: ConstructorParameters<typeof CreateChannelCommand>[0] = {}) =>
  h.ivs.send(new CreateChannelCommand(input));

describe("ListChannels", () => {
  it("pages with the SDK paginator and with explicit tokens, without repeats or gaps", async () => {
    const name = uniqueName("page");
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) arns.push((await create({ name })).channel?.arn as string);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListChannels({ client: h.ivs, pageSize: 2 }, { filterByName: name })) {
      pages++;
      expect(page.channels?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.channels ?? []).map((c) => c.arn as string));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(arns);

    const first = await h.ivs.send(new ListChannelsCommand({ filterByName: name, maxResults: 3 }));
    expect(first.channels).toHaveLength(3);
    expect(first.nextToken).toMatch(/^[a-zA-Z0-9+/=_-]+$/);
    const second = await h.ivs.send(
      new ListChannelsCommand({ filterByName: name, maxResults: 3, nextToken: first.nextToken }),
    );
    expect(second.channels?.map((c) => c.arn)).toEqual(arns.slice(3));
    expect(second.nextToken).toBeUndefined();
  });

  it("neither repeats nor skips when an item is deleted between pages", async () => {
    const name = uniqueName("delete-between");
    const arns: string[] = [];
    for (let i = 0; i < 4; i++) arns.push((await create({ name })).channel?.arn as string);
    const first = await h.ivs.send(new ListChannelsCommand({ filterByName: name, maxResults: 2 }));
    await h.ivs.send(new DeleteChannelCommand({ arn: arns[1] }));
    const second = await h.ivs.send(
      new ListChannelsCommand({ filterByName: name, maxResults: 2, nextToken: first.nextToken }),
    );
    expect(second.channels?.map((c) => c.arn)).toEqual(arns.slice(2));
  });

  it("returns summaries without endpoints or secrets", async () => {
    const name = uniqueName("summary");
    await create({ name });
    const { channels } = await h.ivs.send(new ListChannelsCommand({ filterByName: name }));
    expect(Object.keys(channels?.[0] ?? {}).sort()).toEqual(
      [
        "adConfigurationArn",
        "arn",
        "authorized",
        "insecureIngest",
        "latencyMode",
        "name",
        "playbackRestrictionPolicyArn",
        "preset",
        "recordingConfigurationArn",
        "tags",
        "type",
      ].sort(),
    );
  });

  it("filters by recording configuration", async () => {
    const { recordingConfiguration } = await h.ivs.send(
      new CreateRecordingConfigurationCommand({
        destinationConfiguration: { s3: { bucketName: "rec-bucket" } },
      }),
    );
    const { channel } = await create({ recordingConfigurationArn: recordingConfiguration?.arn });
    await create();
    const { channels } = await h.ivs.send(
      new ListChannelsCommand({ filterByRecordingConfigurationArn: recordingConfiguration?.arn }),
    );
    expect(channels?.map((c) => c.arn)).toEqual([channel?.arn]);
  });

  it("409s when two filters are combined", async () => {
    await expectIvsError(
      h.ivs.send(
        new ListChannelsCommand({
          filterByName: "a",
          filterByRecordingConfigurationArn: missingArn("recording-configuration"),
        }),
      ),
      "ConflictException",
      409,
    );
  });

  it("rejects bad tokens and page sizes out of 1..100", async () => {
    const list = (input: ListChannelsCommandInput) => h.ivs.send(new ListChannelsCommand(input));
    await expectIvsError(list({ nextToken: "not a token!" }), "ValidationException", 400, "nextToken");
    await expectIvsError(list({ nextToken: "bm90LWEtdG9rZW4" }), "ValidationException", 400, "nextToken");
    await expectIvsError(list({ maxResults: 0 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ maxResults: 101 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ filterByName: "bad name!" }), "ValidationException", 400, "filterByName");
  });
});
