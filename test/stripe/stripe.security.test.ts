import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createFixture, createTestApp, expectError, okJson, sqlRows, type TestApp } from "../helpers/app";
import { openSecret, sealSecret } from "../../src/domain/secretBox";
import { checkoutSession, sendStripe, stripeEvent, stripeFixture, WHSEC } from "./events";

describe("Stripe integration: scope and secrecy", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("another vendor's program is 404 on PUT, GET and the event list, and nothing changes", async () => {
    const mine = await stripeFixture(t);
    const theirs = await createFixture(t, { link: { slug: "theirs" } });
    const base = `/api/v1/programs/${mine.program.id}/integrations/stripe`;
    await expectError(await t.request(base, { method: "PUT", key: theirs.vendorKey, json: { webhookSecret: "whsec_attacker_0123456789" } }), 404, "not_found");
    await expectError(await t.request(base, { key: theirs.vendorKey }), 404, "not_found");
    await expectError(await t.request(`${base}/events`, { key: theirs.vendorKey }), 404, "not_found");
    // the owner's secret still verifies, the attacker's does not
    await okJson(await sendStripe(t, mine.program.id, stripeEvent("customer.created", { id: "cus_1" })));
    await expectError(await sendStripe(t, mine.program.id, stripeEvent("customer.created", { id: "cus_2" }), { secret: "whsec_attacker_0123456789" }), 400, "validation_failed");
    expect(await countRows(t, "stripe_events")).toBe(1);
  });

  it("an event signed for one program is refused by another's endpoint; the same event id counts once per program", async () => {
    const a = await stripeFixture(t);
    const b = await stripeFixture(t, { link: { slug: "bee" } });
    const bSecret = "whsec_program_b_0123456789abcdef";
    await okJson(await t.request(`/api/v1/programs/${b.program.id}/integrations/stripe`, { method: "PUT", key: b.vendorKey, json: { webhookSecret: bSecret } }));
    const event = stripeEvent("checkout.session.completed", checkoutSession());
    await okJson(await sendStripe(t, a.program.id, event));
    await expectError(await sendStripe(t, b.program.id, event), 400, "validation_failed"); // signed with a's secret
    const inB = await okJson(await sendStripe(t, b.program.id, event, { secret: bSecret }));
    expect(inB.duplicate).toBe(false);
    expect((await sqlRows(t, "SELECT program_id FROM conversions")).map((r) => r.program_id).sort()).toEqual([a.program.id, b.program.id].sort());
  });

  it("a sealed secret opens only with the server secret and for the program it was sealed for", async () => {
    const sealed = await sealSecret("server-secret-1", "stripe-webhook-secret", "prg_a", WHSEC);
    expect(sealed).not.toContain(WHSEC.slice(6));
    expect(await openSecret("server-secret-1", "stripe-webhook-secret", "prg_a", sealed)).toBe(WHSEC);
    expect(await openSecret("server-secret-2", "stripe-webhook-secret", "prg_a", sealed)).toBeNull();
    expect(await openSecret("server-secret-1", "stripe-webhook-secret", "prg_b", sealed)).toBeNull();
    expect(await openSecret("server-secret-1", "other-purpose", "prg_a", sealed)).toBeNull();
    const [v, iv, data] = sealed.split(".");
    const flipped = data!.slice(0, -2) + (data!.at(-2) === "A" ? "B" : "A") + data!.at(-1);
    expect(await openSecret("server-secret-1", "stripe-webhook-secret", "prg_a", [v, iv, flipped].join("."))).toBeNull();
    expect(await openSecret("server-secret-1", "stripe-webhook-secret", "prg_a", "garbage")).toBeNull();
    // a fresh IV each time: the same secret never seals to the same text
    expect(await sealSecret("server-secret-1", "stripe-webhook-secret", "prg_a", WHSEC)).not.toBe(sealed);
  });
});
