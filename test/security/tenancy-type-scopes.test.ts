import { GraphQLError, type GraphQLObjectType, type GraphQLResolveInfo } from "graphql";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/auth/principal.ts";
import type { GatewayContext } from "../../src/context.ts";
import { schema } from "../../src/schema/index.ts";

const ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";
const KEY = "arn:aws:ivs:us-west-2:123456789012:stream-key/BBBBBBBBBBBB";

const principal = (tenant?: string): Principal => ({
  id: "jwt:u",
  kind: "jwt",
  scopes: new Set(["ivs:read"]),
  ...(tenant ? { tenant: { tagKey: "tenant", value: tenant } } : {}),
});

/** A context whose channel loader knows one channel, of tenant `globex`. */
function context(p: Principal): GatewayContext {
  const found = { arn: ARN, tags: { tenant: "globex" } };
  const channel = { load: async (arn: string) => (arn === ARN ? found : null) };
  return { principal: p, loaders: { channel } } as unknown as GatewayContext;
}

/** Resolves one field of `type` on `parent` as the executor would, turning a throw into its error. */
async function resolve(type: string, field: string, parent: object, ctx: GatewayContext) {
  const parentType = schema.getType(type) as GraphQLObjectType;
  const info = {
    fieldName: field,
    parentType,
    path: { prev: undefined, key: field, typename: type },
    returnType: parentType.getFields()[field]?.type,
    schema,
  } as unknown as GraphQLResolveInfo;
  try {
    return await parentType.getFields()[field]?.resolve?.(parent, {}, ctx, info);
  } catch (error) {
    return error;
  }
}

const forbidden = (value: unknown) => value instanceof GraphQLError || value instanceof Error;

describe("type scopes that check tenancy, field by field", () => {
  const channel = { arn: ARN, name: "globex-main", tags: { tenant: "globex" } };
  const key = { arn: KEY, channelArn: ARN };
  const stream = { channelArn: ARN, streamId: "st-1" };

  it("refuse each field of another tenant's channel, stream and stream key", async () => {
    const ctx = context(principal("acme"));
    for (const [type, field, parent] of [
      ["Channel", "name", channel],
      ["Channel", "arn", channel],
      ["StreamKey", "arn", key],
      ["Stream", "streamId", stream],
    ] as const) {
      const out = await resolve(type, field, parent, ctx);
      expect(forbidden(out), `${type}.${field}`).toBe(true);
      expect((out as Error).message, `${type}.${field}`).toMatch(new RegExp(`${type}\\.${field}`));
    }
  });

  it("answer them for that tenant and for a principal without a tenant", async () => {
    for (const ctx of [context(principal("globex")), context(principal())]) {
      expect(await resolve("Channel", "name", channel, ctx)).toBe("globex-main");
      expect(await resolve("StreamKey", "arn", key, ctx)).toBe(KEY);
      expect(await resolve("Stream", "streamId", stream, ctx)).toBe("st-1");
    }
  });

  it("leave field scopes to scope-auth for a principal without a tenant", async () => {
    // StreamKey.value needs ivs:secrets, whatever the tenancy.
    const out = await resolve("StreamKey", "value", { ...key, value: "sk_secret" }, context(principal()));
    expect(forbidden(out)).toBe(true);
    expect((out as Error).message).toMatch(/StreamKey\.value/);
  });
});
