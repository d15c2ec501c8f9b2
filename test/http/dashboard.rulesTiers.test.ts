import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, okJson, sqlRows, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Rules and tiers pages: list, create, edit, archive/delete through the API's use-cases, 409s as
// messages, the precedence table, and another vendor's rule or tier as 404.

describe("dashboard: rules and tiers", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let s: Awaited<ReturnType<typeof dashboardSession>>;
  let base = "";
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t); // a program-wide 20% sale rule
    s = await dashboardSession(t, "app", f.vendorKey);
    base = `/app/p/${f.program.id}`;
  });
  afterEach(async () => { await t.close(); });

  /** The precedence table's row of a tier, as text. */
  const precedenceRow = (html: string, tier: string) => textOf([...html.matchAll(/<tr><th scope="row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((r) => r.startsWith(tier)) ?? "");

  it("adds a tier and a tier rule; the precedence table says which rule prices each tier's sale", async () => {
    const tier = await s.post(`${base}/tiers`, { name: "Gold", rank: "1", metric: "revenue", threshold: "1000.00", windowDays: "90" });
    expect(tier.status).toBe(303);
    const tiers = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { key: f.vendorKey }))).data;
    const gold = tiers.find((x: { name: string }) => x.name === "Gold");
    expect(gold).toMatchObject({ rank: 1, threshold: "1000.00", windowDays: 90 });
    const rule = await s.post(`${base}/rules`, { event: "sale", type: "percent", value: "30", tierId: gold.id });
    expect(rule.status).toBe(303);
    const page = await s.get(`${base}/rules`);
    expect(page.status).toBe(200);
    expect(precedenceRow(page.html, "Gold")).toContain("30% (Gold's own rule)");
    expect(precedenceRow(page.html, "Entry")).toContain("20% (program-wide rule)");
    expect(precedenceRow(page.html, "Entry")).toContain("no rule: earns nothing"); // no lead rule
    expect((await s.get(`${base}/tiers`)).html).toContain("Gold");
  });

  it("a second active rule for the same event and tier is refused with the 409's message, keeping what was typed", async () => {
    const res = await s.post(`${base}/rules`, { event: "sale", type: "flat", value: "7.50", tierId: "" });
    expect(res.status).toBe(409);
    expect(textOf(res.html)).toContain("already has an active rule for this event and tier");
    expect(res.html).toMatch(/id="r-value"[^>]*value="7.50"/);
    const bad = await s.post(`${base}/rules`, { event: "lead", type: "percent", value: "120" });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain("Nothing was saved: the value");
  });

  it("edits a rule's value and archives it; archived rules show on ?all=1 only", async () => {
    const edit = await s.get(`${base}/rules/${f.rule.id}`);
    expect(edit.html).toMatch(/id="r-value"[^>]*value="20"/);
    expect((await s.post(`${base}/rules/${f.rule.id}`, { type: "flat", value: "5.00" })).status).toBe(303);
    const [row] = await sqlRows(t, "SELECT type, value, archived_at FROM commission_rules WHERE id = ?", [f.rule.id]);
    expect(row).toMatchObject({ type: "flat", value: 500, archived_at: null });
    const refused = await s.post(`${base}/rules/${f.rule.id}`, { type: "flat", value: "-1" });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/value="-1"/);
    expect((await s.post(`${base}/rules/${f.rule.id}/archive`)).status).toBe(303);
    expect((await s.get(`${base}/rules`)).html).not.toContain(`/rules/${f.rule.id}/archive`);
    expect(textOf((await s.get(`${base}/rules?all=1`)).html)).toContain("archived");
    const api = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules?all=1`, { key: f.vendorKey }))).data;
    expect(api[0]).toMatchObject({ id: f.rule.id, archived: true });
  });

  it("edits a tier; deleting the entry tier or a tier with partners shows the 409's reason; an empty tier is deleted", async () => {
    const tiers = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { key: f.vendorKey }))).data;
    const entry = tiers[0];
    const del = await s.post(`${base}/tiers/${entry.id}/delete`);
    expect(del.status).toBe(409);
    expect(textOf(del.html)).toContain("the entry tier (rank 0) cannot be deleted");
    await s.post(`${base}/tiers`, { name: "Silver", rank: "2", metric: "conversions", threshold: "10", windowDays: "30" });
    const silver = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { key: f.vendorKey }))).data.find((x: { name: string }) => x.name === "Silver");
    const edited = await s.post(`${base}/tiers/${silver.id}`, { name: "Silver+", metric: "conversions", threshold: "12", windowDays: "60" });
    expect(edited.status).toBe(303);
    const refused = await s.post(`${base}/tiers/${silver.id}`, { name: "Typed", metric: "conversions", threshold: "1.5", windowDays: "60" });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain(`value="Typed"`);
    const { partner } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bo", email: "bo@example.com" });
    await t.client.execute({ sql: "UPDATE partners SET tier_id = ? WHERE id = ?", args: [silver.id, partner.id] });
    const busy = await s.post(`${base}/tiers/${silver.id}/delete`);
    expect(busy.status).toBe(409);
    expect(textOf(busy.html)).toContain("this tier still has partners");
    await t.client.execute({ sql: "UPDATE partners SET tier_id = ? WHERE id = ?", args: [entry.id, partner.id] });
    expect((await s.post(`${base}/tiers/${silver.id}/delete`)).status).toBe(303);
    const after = (await s.get(`${base}/tiers`)).html;
    expect(after).toContain("Tier Silver+ and its rules were deleted.");
    expect(after).not.toContain(`/tiers/${silver.id}`);
    const dup = await s.post(`${base}/tiers`, { name: "Dup", rank: "0", metric: "revenue", threshold: "1", windowDays: "30" });
    expect(dup.status).toBe(400);
  });

  it("another vendor's rule and tier are 404 on every page and form", async () => {
    const other = await createFixture(t, { link: { slug: "other-one" } });
    const otherTier = (await okJson(await t.request(`/api/v1/programs/${other.program.id}/tiers`, { key: other.vendorKey }))).data[0];
    for (const path of [`${base}/rules/${other.rule.id}`, `${base}/tiers/${otherTier.id}`, `/app/p/${other.program.id}/rules`, `/app/p/${other.program.id}/tiers`]) {
      expect((await s.get(path)).status, path).toBe(404);
    }
    expect((await s.post(`${base}/rules/${other.rule.id}`, { type: "flat", value: "1" })).status).toBe(404);
    expect((await s.post(`${base}/rules/${other.rule.id}/archive`)).status).toBe(404);
    expect((await s.post(`${base}/tiers/${otherTier.id}`, { name: "x", metric: "revenue", threshold: "0", windowDays: "9" })).status).toBe(404);
    expect((await s.post(`${base}/tiers/${otherTier.id}/delete`)).status).toBe(404);
    const [rule] = await sqlRows(t, "SELECT type, value, archived_at FROM commission_rules WHERE id = ?", [other.rule.id]);
    expect(rule).toMatchObject({ type: "percent", archived_at: null });
  });
});
