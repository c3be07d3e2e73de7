import { CreateChannelCommand, GetChannelCommand } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../../emulator/operations/index.ts";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { failure } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator();

async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.emulator.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("restJson1 wire format", () => {
  it("serves every operation of the model", () => {
    const missing = Object.keys(MODEL.operations).filter((op) => !OPERATIONS[op]);
    expect(Object.keys(MODEL.operations)).toHaveLength(41);
    expect(missing).toEqual([]);
  });

  it("answers 200 JSON with a request id, and 204 with no body for deletes", async () => {
    const created = await raw("POST", "/CreateChannel", "{}");
    expect(created.status).toBe(200);
    expect(created.headers.get("content-type")).toBe("application/json");
    expect(created.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const arn = JSON.parse(created.text).channel.arn as string;
    const deleted = await raw("POST", "/DeleteChannel", JSON.stringify({ arn }));
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
  });

  it("sends errors with x-amzn-ErrorType and both message keys", async () => {
    const arn = "arn:aws:ivs:us-west-2:123456789012:channel/doesNotExist";
    const res = await raw("POST", "/GetChannel", JSON.stringify({ arn }));
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    const body = JSON.parse(res.text);
    expect(body.exceptionMessage).toContain(arn);
    expect(body.message).toBe(body.exceptionMessage);
    expect(body.code).toBeUndefined();
  });

  it("lets the SDK build the modeled error class with message and status", async () => {
    const err = await failure(
      h.ivs.send(new GetChannelCommand({ arn: "arn:aws:ivs:us-west-2:123456789012:channel/nope" })),
    );
    expect(err.name).toBe("ResourceNotFoundException");
    expect(err.message).toContain("channel/nope");
    expect(err.exceptionMessage).toContain("channel/nope");
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("rejects malformed JSON and non-object bodies with ValidationException", async () => {
    for (const body of ["{nope", "[1,2]", '"text"']) {
      const res = await raw("POST", "/ListChannels", body);
      expect(res.status).toBe(400);
      expect(res.headers.get("x-amzn-errortype")).toBe("ValidationException");
    }
  });

  it("answers an unknown path or method with UnknownOperationException", async () => {
    expect((await raw("POST", "/NoSuchOperation", "{}")).headers.get("x-amzn-errortype")).toBe(
      "UnknownOperationException",
    );
    expect((await raw("GET", "/CreateChannel")).status).toBe(404);
  });

  it("rejects bodies over 1 MiB", async () => {
    const res = await raw("POST", "/CreateChannel", JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).message).toContain("limit");
  });

  it("names every member at fault, and hides sensitive values", async () => {
    const err = await failure(
      h.ivs.send(
        new CreateChannelCommand({ name: "no spaces allowed", type: "HUGE" as never, latencyMode: "LOW" }),
      ),
    );
    expect(err.name).toBe("ValidationException");
    expect(err.message).toMatch(/^2 validation errors detected/);
    expect(err.message).toContain("at 'name'");
    expect(err.message).toContain("at 'type'");
    const meta = await raw(
      "POST",
      "/PutMetadata",
      JSON.stringify({ channelArn: "arn:aws:ivs:us-west-2:123456789012:channel/abc", metadata: "" }),
    );
    expect(JSON.parse(meta.text).message).toContain("Value '***' at 'metadata'");
  });
});
