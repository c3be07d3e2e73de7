import { describe, expect, it } from "vitest";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { pageSizeMax } from "../../model/page-size.ts";

describe("pageSizeMax", () => {
  it("reads each List operation's largest maxResults from the model", () => {
    // The model's own maximum for each, through the member's shape (not a literal).
    const shape = (request: string) =>
      MODEL.shapes[MODEL.shapes[request]?.members?.maxResults?.shape ?? ""]?.max;
    for (const request of [
      "ListChannelsRequest",
      "ListStreamsRequest",
      "ListPlaybackKeyPairsRequest",
      "ListRecordingConfigurationsRequest",
    ]) {
      expect(pageSizeMax(MODEL, request)).toBe(shape(request));
      expect(pageSizeMax(MODEL, request)).toBeGreaterThan(0);
    }
  });

  it("follows the model when it changes", () => {
    const model = structuredClone(MODEL);
    const name = model.shapes.ListChannelsRequest?.members?.maxResults?.shape as string;
    (model.shapes[name] as { max?: number }).max = 7;
    expect(pageSizeMax(model, "ListChannelsRequest")).toBe(7);
  });

  it("throws for a request without a bounded maxResults", () => {
    expect(() => pageSizeMax(MODEL, "GetChannelRequest")).toThrow(
      "GetChannelRequest has no bounded maxResults",
    );
  });
});
