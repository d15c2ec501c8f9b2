import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, PUBLIC_URL, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t, { program: { name: "Acme <Shop>" } });
});
afterEach(() => t.close());

describe("partner badge", () => {
  it("an approved partner has a badge (safe SVG, cacheable an hour) and a verification page; deactivated it says not active", async () => {
    const p = await okJson(await t.request(`/api/v1/partners/${f.partner.id}`, { key: f.vendorKey }));
    expect(p.badgeUrl).toMatch(new RegExp(`^${PUBLIC_URL}/badge/[^/]+\\.svg$`));
    expect(p.verifyUrl).toBe(p.badgeUrl.slice(0, -4));
    const svg = await t.request(p.badgeUrl);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toContain("image/svg+xml");
    expect(svg.headers.get("cache-control")).toBe("public, max-age=3600");
    const body = await svg.text();
    expect(body).toContain("Acme &#60;Shop&#62;");
    expect(body).toContain("partner · Entry");
    expect(body).not.toMatch(/<script|href|url\(|<image|<foreignObject|on\w+=/i);
    const page = await t.request(p.verifyUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(await page.text()).toContain("An active partner right now, in the Entry tier, since");
    await okJson(await t.request(`/api/v1/partners/${f.partner.id}`, { method: "PATCH", key: f.vendorKey, json: { status: "banned" } }));
    expect(await (await t.request(p.badgeUrl)).text()).toContain("not an active partner");
    expect(await (await t.request(p.verifyUrl)).text()).toContain("not an active partner");
    const banned = await okJson(await t.request(`/api/v1/partners/${f.partner.id}`, { key: f.vendorKey }));
    expect(banned.badgeUrl).toBeUndefined();
  });

  it("an unknown or altered token is 404; another partner's id under this MAC is refused", async () => {
    const p = await okJson(await t.request(`/api/v1/partners/${f.partner.id}`, { key: f.vendorKey }));
    const token = p.verifyUrl.split("/badge/")[1] as string;
    const other = await createFixture(t, { program: { name: "Other" }, partner: { email: "o@example.com", coupon: "OTH" }, link: { slug: "other" } });
    expect((await t.request(`/badge/${other.partner.id}.${token.split(".")[1]}`)).status).toBe(404);
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect((await t.request(`/badge/${altered}.svg`)).status).toBe(404);
    expect((await t.request("/badge/nothing")).status).toBe(404);
  });
});
