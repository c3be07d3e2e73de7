import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  type CreateRecordingConfigurationCommandInput,
  DeleteRecordingConfigurationCommand,
  GetRecordingConfigurationCommand,
  ListRecordingConfigurationsCommand,
  paginateListRecordingConfigurations,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { recordingState } from "../../emulator/operations/recording-configuration.ts";
import type { RecordingConfiguration } from "../../emulator/state/types.ts";
import { ACCOUNT, expectIvsError, missingArn, REGION, rawPost, uniqueName } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const destination = { s3: { bucketName: "my-recordings" } };

describe("recording configurations (activation delay 0)", () => {
  const h = useEmulator();
  const create = (input: Partial<CreateRecordingConfigurationCommandInput> = {}) =>
    h.ivs.send(new CreateRecordingConfigurationCommand({ destinationConfiguration: destination, ...input }));

  it("answers CREATING with the documented defaults, then reads ACTIVE", async () => {
    const { recordingConfiguration: rc } = await create();
    expect(rc).toEqual({
      arn: expect.stringMatching(
        new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:recording-configuration/[a-zA-Z0-9]{12}$`),
      ),
      name: "",
      destinationConfiguration: destination,
      state: "CREATING",
      tags: {},
      thumbnailConfiguration: {
        recordingMode: "INTERVAL",
        targetIntervalSeconds: 60,
        storage: ["SEQUENTIAL"],
      },
      recordingReconnectWindowSeconds: 0,
      renditionConfiguration: { renditionSelection: "ALL", renditions: [] },
    });
    const got = await h.ivs.send(new GetRecordingConfigurationCommand({ arn: rc?.arn }));
    expect(got.recordingConfiguration).toEqual({ ...rc, state: "ACTIVE" });
  });

  it("never sends the internal activation time", async () => {
    const { recordingConfiguration: rc } = await create();
    const raw = await rawPost(h.emulator, "GetRecordingConfiguration", { arn: rc?.arn });
    expect(Object.keys(raw.body.recordingConfiguration as object)).not.toContain("activeAt");
  });

  it("keeps what the caller sets, merging partial sub-objects with defaults", async () => {
    const name = uniqueName("custom");
    const { recordingConfiguration: rc } = await create({
      name,
      tags: { env: "test" },
      recordingReconnectWindowSeconds: 300,
      thumbnailConfiguration: { resolution: "HD", storage: ["SEQUENTIAL", "LATEST"] },
      renditionConfiguration: { renditionSelection: "CUSTOM", renditions: ["HD", "SD"] },
    });
    expect(rc).toMatchObject({
      name,
      tags: { env: "test" },
      recordingReconnectWindowSeconds: 300,
      thumbnailConfiguration: {
        recordingMode: "INTERVAL",
        targetIntervalSeconds: 60,
        resolution: "HD",
        storage: ["SEQUENTIAL", "LATEST"],
      },
      renditionConfiguration: { renditionSelection: "CUSTOM", renditions: ["HD", "SD"] },
    });
  });

  it.each([
    [{ destinationConfiguration: undefined }, "destinationConfiguration"],
    [{ destinationConfiguration: {} }, "destinationConfiguration.s3"],
    [{ destinationConfiguration: { s3: { bucketName: "AB" } } }, "bucketName"],
    [{ name: "has space" }, "name"],
    [{ recordingReconnectWindowSeconds: 301 }, "recordingReconnectWindowSeconds"],
    [{ thumbnailConfiguration: { targetIntervalSeconds: 0 } }, "targetIntervalSeconds"],
    [{ thumbnailConfiguration: { recordingMode: "SOMETIMES" } }, "recordingMode"],
    [{ thumbnailConfiguration: { storage: ["NEWEST"] } }, "storage"],
    [{ renditionConfiguration: { renditionSelection: "CUSTOM" } }, "renditions"],
    [{ renditionConfiguration: { renditionSelection: "CUSTOM", renditions: [] } }, "renditions"],
    [{ renditionConfiguration: { renditionSelection: "SOME" } }, "renditionSelection"],
  ])("rejects %j with a ValidationException naming %s", async (input, member) => {
    await expectIvsError(create(input as never), "ValidationException", 400, member);
  });

  it("404s for unknown ARNs", async () => {
    const arn = missingArn("recording-configuration");
    await expectIvsError(
      h.ivs.send(new GetRecordingConfigurationCommand({ arn })),
      "ResourceNotFoundException",
      404,
      arn,
    );
    await expectIvsError(
      h.ivs.send(new DeleteRecordingConfigurationCommand({ arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("409s on delete while a channel uses it, and deletes once detached", async () => {
    const { recordingConfiguration: rc } = await create();
    const { channel } = await h.ivs.send(new CreateChannelCommand({ recordingConfigurationArn: rc?.arn }));
    await expectIvsError(
      h.ivs.send(new DeleteRecordingConfigurationCommand({ arn: rc?.arn })),
      "ConflictException",
      409,
      channel?.arn as string,
    );
    await h.ivs.send(new UpdateChannelCommand({ arn: channel?.arn, recordingConfigurationArn: "" }));
    const out = await h.ivs.send(new DeleteRecordingConfigurationCommand({ arn: rc?.arn }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expectIvsError(
      h.ivs.send(new GetRecordingConfigurationCommand({ arn: rc?.arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("lists summaries and pages through them", async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await create()).recordingConfiguration?.arn as string);

    const seen: string[] = [];
    for await (const page of paginateListRecordingConfigurations({ client: h.ivs, pageSize: 2 }, {})) {
      expect(page.recordingConfigurations?.length).toBeLessThanOrEqual(2);
      for (const rc of page.recordingConfigurations ?? []) {
        expect(Object.keys(rc).sort()).toEqual(["arn", "destinationConfiguration", "name", "state", "tags"]);
        expect(rc.state).toBe("ACTIVE");
        seen.push(rc.arn as string);
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(created));

    const first = await h.ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 1 }));
    expect(first.recordingConfigurations).toHaveLength(1);
    const next = await h.ivs.send(
      new ListRecordingConfigurationsCommand({ maxResults: 1, nextToken: first.nextToken }),
    );
    expect(next.recordingConfigurations?.[0]?.arn).not.toBe(first.recordingConfigurations?.[0]?.arn);
  });

  it("rejects bad tokens and page sizes out of 1..100", async () => {
    const list = (input: { maxResults?: number; nextToken?: string }) =>
      h.ivs.send(new ListRecordingConfigurationsCommand(input));
    await expectIvsError(list({ maxResults: 0 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ maxResults: 101 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ nextToken: "bad token" }), "ValidationException", 400, "nextToken");
    // A well-formed token from another list operation is not valid here.
    const foreign = Buffer.from(JSON.stringify({ o: "ListChannels", a: 1 })).toString("base64url");
    await expectIvsError(list({ nextToken: foreign }), "ValidationException", 400, "nextToken");
  });
});

describe("recording configuration activation", () => {
  const h = useEmulator({ recordingActivationMs: 250 });

  it("stays CREATING until the activation delay has passed", async () => {
    const { recordingConfiguration: rc } = await h.ivs.send(
      new CreateRecordingConfigurationCommand({ destinationConfiguration: destination }),
    );
    const early = await h.ivs.send(new GetRecordingConfigurationCommand({ arn: rc?.arn }));
    expect(early.recordingConfiguration?.state).toBe("CREATING");
    await new Promise((r) => setTimeout(r, 300));
    const later = await h.ivs.send(new ListRecordingConfigurationsCommand({}));
    expect(later.recordingConfigurations?.find((c) => c.arn === rc?.arn)?.state).toBe("ACTIVE");
  });

  it("recordingState computes the state from activeAt without a timer", () => {
    const rc = { state: "CREATING", activeAt: 1_000 } as RecordingConfiguration;
    expect(recordingState(rc, 999)).toBe("CREATING");
    expect(recordingState(rc, 1_000)).toBe("ACTIVE");
    expect(recordingState({ ...rc, state: "CREATE_FAILED" }, 5_000)).toBe("CREATE_FAILED");
  });
});

describe("recording configuration quota", () => {
  const h = useEmulator({ limits: { recordingConfigurations: 2 } });

  it("402s past the limit and frees a slot on delete", async () => {
    const create = () =>
      h.ivs.send(new CreateRecordingConfigurationCommand({ destinationConfiguration: destination }));
    const first = await create();
    await create();
    await expectIvsError(create(), "ServiceQuotaExceededException", 402, "recording configurations");
    await h.ivs.send(new DeleteRecordingConfigurationCommand({ arn: first.recordingConfiguration?.arn }));
    expect((await create()).recordingConfiguration?.state).toBe("CREATING");
  });
});
