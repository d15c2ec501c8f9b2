import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clickWith, createFixture, createTestApp, okJson, postConversion, type TestApp } from "../helpers/app";
import { pageHtml, signedIn } from "../helpers/dashboard";

describe("the dashboard's review queue shows fraud signals", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t, { program: { minConversionSeconds: 10 } });
  });
  afterEach(async () => { await t.close(); });

  it("names each held commission's signals and filters by them", async () => {
    const fast = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-fast", event: "sale", amount: "10.00", clickId: await clickWith(t, "anna") }), 201);
    const calm = await okJson(await postConversion(t, f.postbackKey, {
      orderId: "o-calm", event: "sale", amount: "10.00", clickId: await clickWith(t, "anna"), occurredAt: new Date(t.clock.now + 60_000).toISOString(),
    }), 201);
    const cookie = await signedIn(t, f.vendorKey);
    const base = `/app/p/${f.program.id}/commissions`;
    const all = await pageHtml(t, cookie, `${base}?status=all`);
    expect(all).toContain("Too fast");
    expect(all).toContain(fast.id);
    const flagged = await pageHtml(t, cookie, `${base}?status=all&flag=click_too_fast`);
    expect(flagged).toContain(fast.id);
    expect(flagged).not.toContain(calm.id);
    const csv = await (await t.request(`${base}?status=all&format=csv&table=commissions`, { headers: { cookie } })).text();
    expect(csv.split("\n")[0]).toContain("Signals");
    expect(csv).toContain("click_too_fast");
  });
});
