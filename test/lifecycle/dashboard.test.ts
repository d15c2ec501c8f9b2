import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

async function signIn(area: "app" | "portal", key: string): Promise<string> {
  const form = await t.request(`/${area}/login`);
  const res = await t.request(`/${area}/login`, { method: "POST", redirect: "manual", headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString() });
  return /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
}
const page = (path: string, cookie: string) => t.request(path, { headers: { cookie: `afx_s=${cookie}` } });
const form = async (path: string, cookie: string, fields: Record<string, string | string[]>) => {
  const csrf = csrfOf(await (await page(path.replace(/\/[^/]*$/, "") || path, cookie)).text()) || csrfOf(await (await page(path, cookie)).text());
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return t.request(path, { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${cookie}`, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
};

beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t, { program: { name: "Acme Shop" } });
});
afterEach(() => t.close());

describe("lifecycle in the dashboard and the portal", () => {
  it("applications page with filters, bulk approve (sign-in links shown once) and bulk reject; form settings with link and embed", async () => {
    const cookie = await signIn("app", f.vendorKey);
    const ids: string[] = [];
    for (const name of ["Ada", "Bo", "Cem"]) ids.push((await okJson(await t.request("/v1/applications", { method: "POST", key: f.publicKey, json: { name, email: `${name}@example.net`, source: "blog" } }), 201)).id);
    const list = await (await page(`/app/p/${f.program.id}/applications`, cookie)).text();
    for (const n of ["Ada", "Bo", "Cem"]) expect(list).toContain(n);
    const approved = await form(`/app/p/${f.program.id}/applications`, cookie, { action: "approve", ids: [ids[0]!, ids[1]!] });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toMatch(/Approved 2 applications[\s\S]*https:\/\/go\.test\/portal\/signin\?token=/);
    const rejected = await form(`/app/p/${f.program.id}/applications`, cookie, { action: "reject", ids: [ids[2]!, ids[0]!], reason: "not a fit" });
    expect(rejected.status).toBe(303);
    const rows = await sqlRows(t, "SELECT name, status, reason FROM applications ORDER BY name");
    expect(rows).toEqual([{ name: "Ada", status: "approved", reason: null }, { name: "Bo", status: "approved", reason: null }, { name: "Cem", status: "rejected", reason: "not a fit" }]);
    const rejectedList = await (await page(`/app/p/${f.program.id}/applications?status=rejected`, cookie)).text();
    expect(rejectedList).toContain("Cem");
    expect(rejectedList).not.toContain("Ada@example.net");
    const csv = await (await page(`/app/p/${f.program.id}/applications?status=all&format=csv&table=applications`, cookie)).text();
    expect(csv.split("\n").filter(Boolean)).toHaveLength(4);

    const settings = await (await page(`/app/p/${f.program.id}/application-form`, cookie)).text();
    expect(settings).toContain(`${PUBLIC_URL}/apply/acme-shop`);
    expect(settings).toContain("&lt;a href=");
    const saved = await form(`/app/p/${f.program.id}/application-form`, cookie, { enabled: "1", questions: "site | Where will you promote us? | required", rules: "country is DE,FR" });
    expect(saved.status).toBe(303);
    const program = await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }));
    expect(program.applications).toEqual({ enabled: true, questions: [{ id: "site", label: "Where will you promote us?", required: true }], autoApprove: [{ field: "country", op: "is", values: ["DE", "FR"] }] });
    const overview = await page(`/app/p/${f.program.id}/journey`, cookie);
    expect(overview.status).toBe(200);
    const html = await overview.text();
    expect(html).toContain("New and active partners");
    expect(html).toContain("Partner-sourced revenue");
    const partners = await (await page(`/app/p/${f.program.id}/partners?stage=recruitment`, cookie)).text();
    expect(partners).toContain("Ada");
    expect(partners).toContain("recruitment");
    expect(await (await page(`/app/p/${f.program.id}/partners?stage=devotion`, cookie)).text()).not.toContain("Ada@example.net");
  });

  it("the portal asks for the current agreement first; the dashboard shows who accepted which version", async () => {
    const cookie = await signIn("app", f.vendorKey);
    expect((await form(`/app/p/${f.program.id}/agreement`, cookie, { title: "Terms", body: "Be nice.\n\nNo spam." })).status).toBe(303);
    const portal = await signIn("portal", f.partner.apiKey);
    const asked = await (await page("/portal/links", portal)).text();
    expect(asked).toContain("I accept version 1");
    expect(asked).not.toContain("My links</h1>");
    const accept = await t.request("/portal/agreement", { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${portal}`, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrfOf(asked), version: "1" }).toString() });
    expect(accept.status).toBe(303);
    const home = await (await page("/portal", portal)).text();
    expect(home).not.toContain("I accept version");
    expect(home).toContain("Your partner badge");
    expect(home).toMatch(/&lt;a href=&quot;https:\/\/go\.test\/badge\//);
    const who = await (await page(`/app/p/${f.program.id}/agreement`, cookie)).text();
    expect(who).toContain("Who accepted version 1");
    expect(who).toContain("anna@example.com");
  });

  it("another vendor's program pages are 404", async () => {
    const other = await createFixture(t, { program: { name: "Other" }, partner: { email: "o@example.com", coupon: "OTH" }, link: { slug: "other" } });
    const cookie = await signIn("app", f.vendorKey);
    for (const p of ["applications", "application-form", "agreement", "journey"]) expect((await page(`/app/p/${other.program.id}/${p}`, cookie)).status).toBe(404);
  });
});
