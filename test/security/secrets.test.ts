import { describe, expect, it } from "vitest";
import { API_KEY, PLAYBACK_PEM, SECRET, useSecureGateway } from "./harness.ts";

const EVENTS_KEY = "events-ingest-key-that-is-secret-0123";
const h = useSecureGateway({ EVENTS_API_KEY: EVENTS_KEY, LOG_LEVEL: "trace" });

const CREATE = `mutation ($name: String!) { createChannel(input: { name: $name, insecureIngest: true }) {
  ... on CreateChannelPayload { channel { arn srt { passphrase } } streamKey { arn value } } } }`;
const ROTATE = `mutation ($arn: String!, $channelArn: String!) {
  deleteStreamKey(input: { arn: $arn }) { __typename }
  createStreamKey(input: { channelArn: $channelArn }) { ... on StreamKey { value } } }`;

describe("secrets never reach the logs or the metrics", () => {
  it("after normal work with every kind of secret and the attacks of the other files", async () => {
    h.secrets.add(EVENTS_KEY);
    const writer = h.bearer(
      await h.mint({ scope: "ivs:read ivs:write ivs:secrets", tenant: "acme", sub: "w" }),
    );

    // Stream keys and SRT passphrases, created, read and rotated, over HTTP and WebSocket.
    const created = await h.post<{
      createChannel: {
        channel: { arn: string; srt: { passphrase: string } };
        streamKey: { arn: string; value: string };
      };
    }>(CREATE, { name: "secretive" }, writer);
    const payload = created.body.data?.createChannel;
    expect(payload?.streamKey.value).toMatch(/^sk_/);
    expect(payload?.channel.srt.passphrase.length).toBeGreaterThan(8);
    const rotated = await h.post(
      ROTATE,
      { arn: payload?.streamKey.arn, channelArn: payload?.channel.arn },
      writer,
    );
    expect(JSON.stringify(rotated.body)).toContain("sk_");
    const { client } = h.ws(writer);
    const ws = await h.wsRun(
      client,
      `query ($arn: String!) { channel(arn: $arn) { streamKeys { value } } }`,
      {
        arn: payload?.channel.arn,
      },
    );
    expect(ws.text).toContain("sk_");

    // Playback tokens, API keys, JWTs; then the same secrets where they do not belong.
    await h.post(
      `mutation ($arn: String!) { createPlaybackToken(input: { channelArn: $arn, viewerId: "v" }) { ... on PlaybackToken { token } } }`,
      { arn: payload?.channel.arn },
      writer,
    );
    await h.post("{ channels(first: 1) { edges { node { arn } } } }", {}, { "x-api-key": API_KEY });
    await h.post("{ __typename }", {}, { "x-api-key": `${API_KEY}-wrong` });
    await h.post("{ __typename }", {}, h.bearer(`${SECRET}.${SECRET}.${SECRET}`));
    await fetch(`${h.gateway.url}/graphql?token=${encodeURIComponent(API_KEY)}&query={__typename}`);
    await fetch(`${h.gateway.url}/events`, { method: "POST", headers: { "x-api-key": API_KEY }, body: "{}" });
    await h.post(`{ channel(arn: ${JSON.stringify(PLAYBACK_PEM)}) { arn } }`, {}, writer);
    await h.post(`mutation { nope(key: "${payload?.streamKey.value}") }`, {}, writer);
    await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...writer },
      body: `{"query": "{ __typename }", "variables": ${JSON.stringify(PLAYBACK_PEM)}`,
    });

    expect(h.lines.length).toBeGreaterThan(20);
    expect(h.lines.some((l) => l.includes('"msg":"starting"'))).toBe(true);
    expect(await h.leaks()).toEqual([]);
  });
});
