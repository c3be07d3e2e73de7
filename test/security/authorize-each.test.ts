import { Repeater } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { authorizeEach } from "../../src/auth/subscriptions.ts";
import type { GatewayContext } from "../../src/context.ts";

const A = "arn:aws:ivs:us-west-2:123456789012:channel/AAAAAAAAAAAA";
const B = "arn:aws:ivs:us-west-2:123456789012:channel/BBBBBBBBBBBB";

/** A context whose channel loader reads tags from `tags` (mutable, to re-tag mid-subscription). */
function context(tags: Record<string, string>, expiresAt?: number) {
  let lookups = 0;
  const ctx = {
    principal: {
      id: "jwt:u",
      kind: "jwt",
      scopes: new Set(["ivs:read"]),
      tenant: { tagKey: "tenant", value: "acme" },
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    },
    loaders: {
      channel: {
        clear: () => ctx.loaders.channel,
        load: async (arn: string) => {
          lookups++;
          return tags[arn] ? { arn, tags: { tenant: tags[arn] } } : null;
        },
      },
    },
  } as unknown as GatewayContext;
  return { ctx, lookups: () => lookups };
}

function source() {
  let push: (arn: string) => void = () => {};
  const it = new Repeater<string>(async (p, stop) => {
    push = (arn) => void p(arn);
    await stop;
  });
  return { it, push: (arn: string) => push(arn) };
}

describe("authorizeEach: every delivered event is authorized", () => {
  it("drops other tenants' events and, after the recheck period, those of a channel moved away", async () => {
    const tags = { [A]: "acme", [B]: "globex" };
    const { ctx } = context(tags);
    let clock = 0;
    const s = source();
    const out = authorizeEach(ctx, s.it, (arn) => arn, { recheckMs: 1000, now: () => clock });
    const next = out.next();
    await new Promise((r) => setTimeout(r, 0));
    s.push(B);
    s.push(A);
    expect((await next).value).toBe(A);
    tags[A] = "globex";
    clock = 2000;
    s.push(A);
    s.push(B);
    const pending = out.next();
    await new Promise((r) => setTimeout(r, 20));
    await out.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it("ends with UNAUTHENTICATED once the principal's token has expired", async () => {
    let clock = 0;
    const { ctx } = context({ [A]: "acme" }, 5000);
    const s = source();
    const out = authorizeEach(ctx, s.it, (arn) => arn, { now: () => clock });
    const first = out.next();
    await new Promise((r) => setTimeout(r, 0));
    s.push(A);
    expect((await first).value).toBe(A);
    clock = 5000;
    const second = out.next();
    s.push(A);
    await expect(second).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
  });

  it("trusts the channels checked at the start without asking IVS again", async () => {
    const { ctx, lookups } = context({ [A]: "acme" });
    const s = source();
    const out = authorizeEach(ctx, s.it, (arn) => arn, { checkedAtStart: [A] });
    const first = out.next();
    await new Promise((r) => setTimeout(r, 0));
    s.push(A);
    expect((await first).value).toBe(A);
    expect(lookups()).toBe(0);
    await out.return?.();
  });
});
