import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, clickWith, countRows, createFixture, createTestApp, expectError, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";

// Fraud signals (issue 12): a new commission goes to hold with `flags` when the customer is the
// partner, the conversion followed its click too fast, or the click's visitor flooded the link.

type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("fraud signals hold a commission for a manager", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t, { program: { minConversionSeconds: 10 } });
  });
  afterEach(async () => { await t.close(); });

  const sale = (orderId: string, clickId: string | undefined, extra: Record<string, unknown> = {}) =>
    postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "100.00", ...(clickId ? { clickId } : {}), ...extra });
  const later = (seconds: number) => new Date(t.clock.now + seconds * 1000).toISOString();

  it("self_referral: the partner's own e-mail (any case) as the customer's; the address is stored only hashed", async () => {
    const clickId = await clickWith(t, "anna");
    const body = await okJson(await sale("o-self", clickId, { customerEmail: "  ANNA@Example.com ", occurredAt: later(60) }), 201);
    expect(body.commission).toMatchObject({ status: "hold", flags: ["self_referral"] });
    const stored = await sqlRows(t, "SELECT customer_email_hash AS h FROM conversions");
    expect(stored[0]!.h).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(await sqlRows(t, "SELECT * FROM conversions")) + JSON.stringify(await sqlRows(t, "SELECT * FROM commissions"));
    expect(dump.toLowerCase()).not.toContain("anna@example.com");

    const other = await okJson(await sale("o-honest", await clickWith(t, "anna"), { customerEmail: "buyer@example.net", occurredAt: later(60) }), 201);
    expect(other.commission).toMatchObject({ status: "pending", flags: [] });
  });

  it("click_too_fast: sooner than minConversionSeconds after the click; at the minimum it is fine", async () => {
    const fast = await okJson(await sale("o-fast", await clickWith(t, "anna"), { occurredAt: later(9) }), 201);
    expect(fast.commission).toMatchObject({ status: "hold", flags: ["click_too_fast"] });
    const ok = await okJson(await sale("o-ok", await clickWith(t, "anna"), { occurredAt: later(10) }), 201);
    expect(ok.commission).toMatchObject({ status: "pending", flags: [] });
    // attributed by coupon: no click, no timing to judge
    const coupon = await okJson(await sale("o-coupon", undefined, { coupon: "ANNA10" }), 201);
    expect(coupon.commission).toMatchObject({ status: "pending", flags: [] });
  });

  it("click_flood: more than 20 clicks by the click's visitor on that link that day", async () => {
    let last = "";
    for (let i = 0; i < 20; i++) last = await clickWith(t, "anna", { ip: "198.51.100.9" });
    await t.flushClicks();
    const twenty = await okJson(await sale("o-20", last, { occurredAt: later(60) }), 201);
    expect(twenty.commission).toMatchObject({ status: "pending", flags: [] });
    last = await clickWith(t, "anna", { ip: "198.51.100.9" });
    await clickWith(t, "anna", { ip: "198.51.100.10" }); // someone else's clicks do not count
    await t.flushClicks();
    const flooded = await okJson(await sale("o-21", last, { occurredAt: later(60) }), 201);
    expect(flooded.commission).toMatchObject({ status: "hold", flags: ["click_flood"] });
  });

  it("flags show in the lists with a filter and in the explanation; a manager approves as for pixels", async () => {
    const held = await okJson(await sale("o-fast", await clickWith(t, "anna"), { occurredAt: later(1), customerEmail: "anna@example.com" }), 201);
    await okJson(await sale("o-ok", await clickWith(t, "anna"), { occurredAt: later(60) }), 201);
    const list = async (q: string) => okJson(await t.request(`/api/v1/commissions?programId=${f.program.id}${q}`, { key: f.vendorKey }));
    expect((await list("")).data).toHaveLength(2);
    expect((await list("&flag=any")).data.map((c: { id: string }) => c.id)).toEqual([held.commission.id]);
    expect((await list("&flag=click_too_fast")).data[0]).toMatchObject({ flags: ["self_referral", "click_too_fast"] });
    expect((await list("&flag=click_flood")).data).toEqual([]);
    await expectError(await t.request(`/api/v1/commissions?flag=nonsense`, { key: f.vendorKey }), 400, "validation_failed");

    const explained = await okJson(await t.request(`/api/v1/conversions/${held.id}`, { key: f.vendorKey }));
    expect(explained.explanation.flags.map((x: { flag: string }) => x.flag)).toEqual(["self_referral", "click_too_fast"]);
    expect(explained.explanation.flags[0].reason).toContain("self-referral");

    const approved = await okJson(await t.request(`/api/v1/commissions/${held.commission.id}/approve`, { method: "POST", key: f.vendorKey }));
    expect(approved.status).toBe("pending");
  });

  it("refuses a malformed or overlong customerEmail, recording nothing", async () => {
    await expectError(await sale("o-bad", undefined, { customerEmail: "not-an-address" }), 400, "validation_failed");
    await expectError(await sale("o-long", undefined, { customerEmail: `${"a".repeat(250)}@x.io` }), 400, "validation_failed");
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("minConversionSeconds is a program setting with a range", async () => {
    const changed = await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { minConversionSeconds: 30 } }));
    expect(changed.minConversionSeconds).toBe(30);
    await expectError(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { minConversionSeconds: -1 } }), 400, "validation_failed");
    const second = await addPartner(t, f.vendorKey, f.program.id, { name: "Ben", email: "ben@example.com" }, { slug: "ben" });
    const res = await okJson(await sale("o-ben", await clickWith(t, "ben"), { occurredAt: later(20) }), 201);
    expect(res.attribution.partnerId).toBe(second.partner.id);
    expect(res.commission).toMatchObject({ status: "hold", flags: ["click_too_fast"] });
  });
});
