import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, postConversion, PUBLIC_URL, type TestApp } from "../helpers/app";
import { dashboardSession } from "../helpers/dashboard";

// Every link a manager page shows to another dashboard page leads somewhere (no 404): each
// page of a program, and every /app link found on them, one level deep. (The partner page's
// "see the outbox" pointed at /app/outbox, which is no page.)

const PAGES = ["", "/journey", "/partners", "/applications", "/application-form", "/agreement", "/links", "/commissions", "/conversions", "/payouts", "/outbox", "/integrations", "/rules", "/tiers", "/keys", "/deals", "/leads", "/settings", "/audit", "/webhooks"];

describe("dashboard links", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t, { program: { minPayout: "1.00" } });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o-1", event: "sale", amount: "20.00", currency: "USD", coupon: "ANNA10" }), 201);
  });
  afterEach(async () => { await t.close(); });

  const hrefs = (html: string) => [...html.matchAll(/href="(\/app\/[^"#?]*)(\?[^"#]*)?"/g)].filter((m) => !m[2]?.includes("format=csv") && !m[1]!.endsWith(".csv") && !m[1]!.endsWith(".svg")).map((m) => m[1]!);

  it("every /app link of the program's pages (and of a partner page with its sign-in link shown) answers 200", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    const base = `/app/p/${f.program.id}`;
    const seen = new Map<string, number>();
    const found = new Set<string>();
    const signin = await s.post(`${base}/partners/${f.partner.id}/signin-link`);
    const withLink = signin.status === 200 ? signin.html : (await s.get(signin.location!)).html;
    for (const h of hrefs(withLink)) found.add(h);
    for (const p of PAGES) {
      const page = await s.get(`${base}${p}`);
      seen.set(`${base}${p}`, page.status);
      for (const h of hrefs(page.html)) found.add(h);
    }
    for (const h of found) if (!seen.has(h)) seen.set(h, (await s.get(h)).status);
    const broken = [...seen].filter(([, status]) => status !== 200).map(([path, status]) => `${path}: ${status}`);
    expect(broken).toEqual([]);
    expect(found.size).toBeGreaterThan(PAGES.length); // the pages' own links were followed too
    expect(found.has(`${base}/outbox`)).toBe(true);
  });

  it("an unknown dashboard address is a 404 page, so a broken link cannot pass", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    expect((await s.get("/app/outbox")).status).toBe(404);
    expect(PUBLIC_URL).toMatch(/^https:/);
  });
});
