import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, PUBLIC_URL, type TestApp } from "../helpers/app";
import { csrfOf, pageHtml, signedIn } from "../helpers/dashboard";

// The dashboard sets what the API sets: a rule's duration (recurring commissions) and the
// program's fastest believable sale (click_too_fast).

describe("dashboard forms for durations and the click_too_fast threshold", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie = "";
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    cookie = await signedIn(t, f.vendorKey);
  });
  afterEach(async () => { await t.close(); });

  const post = async (path: string, page: string, fields: Record<string, string>) => {
    const csrf = csrfOf(await pageHtml(t, cookie, page));
    return t.request(`${PUBLIC_URL}${path}`, {
      method: "POST", redirect: "manual", headers: { cookie, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  };
  const rules = async () => (await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { key: f.vendorKey }))).data as { event: string; durationMonths: number | null }[];

  it("creates a rule paying for N months, shows it, and refuses a bad duration keeping the form", async () => {
    const base = `/app/p/${f.program.id}/rules`;
    const created = await post(base, base, { event: "lead", type: "flat", value: "2.00", durationMonths: "12" });
    expect(created.status).toBe(303);
    expect((await rules()).find((r) => r.event === "lead")?.durationMonths).toBe(12);
    expect(await pageHtml(t, cookie, base)).toContain("12 months");
    const refused = await post(base, base, { event: "lead", type: "flat", value: "3.00", durationMonths: "1.5" });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain("the duration must be empty");
    expect(html).toContain('value="3.00"');
    expect((await rules()).filter((r) => r.event === "lead")).toHaveLength(1);
  });

  it("changes the program's fastest believable sale in settings", async () => {
    const base = `/app/p/${f.program.id}/settings`;
    const html = await pageHtml(t, cookie, base);
    expect(html).toContain('name="minConversionSeconds"');
    const res = await post(`${base}/program`, base, {
      name: "Shop", cookieDays: "30", attribution: "last_click", holdDays: "0", minPayout: "50.00", allowedDomains: "shop.example.com", minConversionSeconds: "45",
    });
    expect(res.status).toBe(303);
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }))).minConversionSeconds).toBe(45);
    await post(`${base}/program`, base, { name: "Shop", cookieDays: "30", attribution: "last_click", holdDays: "0", minPayout: "50.00", allowedDomains: "shop.example.com", minConversionSeconds: "-3" });
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }))).minConversionSeconds).toBe(45);
  });
});
