import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort, launchBrowser, startServer } from "./browser";

const ADMIN_KEY = "e2e-admin-key-0123456789";
const ARTIFACTS = "test-artifacts";
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let manager: BrowserContext;
let evil: Server | null = null;

async function api(path: string, key: string, json?: unknown) {
  const res = await fetch(`${server.base}${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

/** The value of the KPI tile with exactly this label. */
const kpi = async (page: Page, label: string) =>
  (await page.locator(".kpi").filter({ has: page.locator(".l").getByText(label, { exact: true }) }).locator(".v").textContent())?.trim();

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

describe("dashboard and portal in Chromium", () => {
  let vendorKey: string;
  let program: Record<string, any>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchBrowser();
    server = await startServer({ AFFLUX_ADMIN_KEY: ADMIN_KEY });
    vendorKey = (await api("/api/v1/vendors", ADMIN_KEY, { name: "E2E Outdoor" })).apiKey;
    program = await api("/api/v1/programs", vendorKey, { name: "E2E Partners", allowedDomains: ["shop.example.com"], holdDays: 7 });
    await api(`/api/v1/programs/${program.id}/rules`, vendorKey, { event: "sale", type: "percent", value: "20" });
    manager = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  }, 90_000);

  afterAll(async () => {
    evil?.close();
    await browser?.close();
    await server?.stop();
  });

  let partnerId = "";
  let otherLinkId = "";

  it("a manager signs in, adds a partner and a link; a click and a pixel conversion show on the overview and chart; the held commission is approved", async () => {
    const page = await manager.newPage();
    await page.goto(`${server.base}/app`);
    expect(new URL(page.url()).pathname).toBe("/app"); // the sign-in page, without a redirect
    expect(await page.getByLabel("Vendor admin key").count()).toBe(1);
    await shot(page, "00-sign-in");
    await page.getByLabel("Vendor admin key").fill("afx_sk_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not valid");
    await page.getByLabel("Vendor admin key").fill(vendorKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/app/p/${program.id}`);
    expect(await page.content()).not.toContain(vendorKey);
    const cookie = (await manager.cookies()).find((c) => c.name === "afx_s")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/app" });

    await page.getByRole("link", { name: "Partners" }).click();
    await page.getByText("No partners yet.").waitFor();
    await page.getByLabel("Name").fill("Anna Reviews");
    await page.getByLabel("Email").fill("anna@example.com");
    await page.getByLabel("Coupon (optional)").fill("ANNA10");
    await page.getByRole("button", { name: "Add partner" }).click();
    await page.getByRole("heading", { level: 1, name: /Anna Reviews/ }).waitFor();
    partnerId = new URL(page.url()).pathname.split("/").pop()!;
    await page.getByLabel("Destination URL").fill("https://shop.example.com/tents");
    await page.getByLabel("Slug (optional)").fill("anna-tents");
    await page.getByRole("button", { name: "Create link" }).click();
    await page.getByText(`${server.base}/anna-tents created`).waitFor();
    expect(await page.locator("input[value$='/anna-tents']").count()).toBe(1);

    const click = await fetch(`${server.base}/anna-tents?sub1=newsletter`, { redirect: "manual", headers: { "user-agent": UA } });
    expect(click.status).toBe(302);
    const clickId = new URL(click.headers.get("location")!).searchParams.get("afx_click")!;
    const pixel = await fetch(`${server.base}/px.gif?pk=${program.publicKey}&order=E2E-1&event=sale&amount=50.00&currency=USD&click=${clickId}`, { headers: { "user-agent": UA } });
    expect(pixel.status).toBe(200);

    let clicks = "";
    for (let i = 0; i < 40 && clicks !== "1"; i++) {
      await page.goto(`${server.base}/app/p/${program.id}`);
      clicks = (await kpi(page, "Clicks")) ?? "";
      if (clicks !== "1") await page.waitForTimeout(250);
    }
    expect(clicks).toBe("1");
    expect(await kpi(page, "Conversions")).toBe("1");
    expect(await kpi(page, "Revenue")).toBe("$50.00");
    expect(await page.locator("#chart-d").textContent()).toContain("1 click, 1 conversion, $50.00 revenue");
    expect(await page.locator(".chart g.b1 rect").count()).toBe(1);
    expect(await page.locator(".chart g.b2 rect").count()).toBe(1);
    await page.getByText("1 pixel commission waits for your approval").waitFor();
    await shot(page, "01-overview");

    await page.getByRole("link", { name: "Review the queue" }).click();
    const row = page.locator("tbody tr", { hasText: "Anna Reviews" });
    expect(await row.locator(".badge").textContent()).toBe("Needs review");
    await shot(page, "02-commissions-hold");
    await row.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Approve selected" }).click();
    await page.getByText("Approved 1 commission").waitFor();
    await page.goto(`${server.base}/app/p/${program.id}/commissions?status=pending`);
    expect(await page.locator("tbody tr .badge").first().textContent()).toBe("Pending");
    await page.getByRole("link", { name: "Explain" }).first().click();
    await page.getByText("20% of 50.00 USD = 10.00 USD").waitFor();
    await shot(page, "03-conversion-explained");

    for (const [name, path] of [["04-partners", "partners"], ["05-links", "links"], ["06-conversions", "conversions"], ["07-payouts", "payouts"], ["08-settings", "settings"]]) {
      const res = await page.goto(`${server.base}/app/p/${program.id}/${path}`);
      expect(res!.status()).toBe(200);
      await shot(page, name!);
    }
    const csv = await page.request.get(`${server.base}/app/p/${program.id}/links?format=csv&table=links`);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect(await csv.text()).toContain("/anna-tents");
  }, 120_000);

  it("a partner signs in with a one-time link and sees only their own data", async () => {
    const other = await api(`/api/v1/programs/${program.id}/partners`, vendorKey, { name: "Ben Deals", email: "ben@example.com" });
    otherLinkId = (await api("/api/v1/links", vendorKey, { programId: program.id, partnerId: other.id, destination: "https://shop.example.com/", slug: "ben-link" })).id;

    const page = await manager.newPage();
    await page.goto(`${server.base}/app/p/${program.id}/partners/${partnerId}`);
    await page.getByRole("button", { name: "Create a portal sign-in link" }).click();
    const url = await page.locator("#signin-url").inputValue();
    expect(url).toMatch(/\/portal\/signin\?token=/);

    const partner = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: "de-DE" });
    const p = await partner.newPage();
    await p.goto(url);
    await p.getByRole("button", { name: "Continue to the portal" }).click();
    await p.getByRole("heading", { name: "Hello, Anna Reviews" }).waitFor();
    expect(await kpi(p, "Revenue")).toBe("50,00\u00a0$"); // de-DE formatting from Accept-Language
    await shot(p, "10-portal-home-375px");
    await p.getByRole("link", { name: "My links" }).click();
    expect(await p.locator("input[value$='/anna-tents']").count()).toBe(1);
    expect(await p.content()).not.toContain("ben-link");
    await shot(p, "11-portal-links-375px");
    await p.getByRole("link", { name: "Earnings & payouts" }).click();
    await shot(p, "12-portal-earnings-375px");

    expect((await p.goto(`${server.base}/portal/links/${otherLinkId}`))!.status()).toBe(404);
    expect((await p.goto(`${server.base}/portal/links/${otherLinkId}/qr.svg`))!.status()).toBe(404);
    // the portal session opens no manager page
    expect((await p.goto(`${server.base}/app/p/${program.id}/partners/${other.id}`))!.status()).toBe(401);
    expect(await p.getByLabel("Vendor admin key").count()).toBe(1);
    expect(await p.content()).not.toContain("Ben Deals");

    const again = await browser.newContext();
    const q = await again.newPage();
    await q.goto(url);
    await q.getByRole("button", { name: "Continue to the portal" }).click();
    await q.getByText("already used or has expired").waitFor();
    await again.close();
    await partner.close();
  }, 120_000);

  it("refuses cross-site form posts", async () => {
    const state = await manager.storageState();
    const session = state.cookies.find((c) => c.name === "afx_s")!;
    const target = `${server.base}/app/p/${program.id}/payouts`;
    // with the session cookie but a foreign Origin, or without the CSRF token: refused
    const forged = await fetch(target, { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${session.value}`, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, body: "_csrf=x" });
    expect(forged.status).toBe(403);
    const noToken = await fetch(target, { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${session.value}`, origin: server.base, "content-type": "application/x-www-form-urlencoded" }, body: "" });
    expect(noToken.status).toBe(403);

    // a real page on another site that auto-submits a form into the signed-in manager's browser
    const port = await freePort();
    evil = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<form id="f" method="post" action="${target}"><input name="_csrf" value="guess"></form><script>document.getElementById("f").submit()</script>`);
    }).listen(port, "127.0.0.1");
    const page = await manager.newPage();
    const response = page.waitForResponse((r) => r.url() === target);
    await page.goto(`http://localhost:${port}/`);
    expect((await response).status()).toBe(403);
    const list = await (await manager.newPage()).goto(`${server.base}/app/p/${program.id}/payouts`);
    expect(await list!.text()).toContain("No payouts yet.");
  }, 60_000);
  it("a manager changes the program's settings in the form; bad input changes nothing", async () => {
    const page = await manager.newPage();
    await page.goto(`${server.base}/app/p/${program.id}/settings`);
    await page.getByLabel("Cookie window (days)").fill("7");
    await page.getByLabel("Attribution").selectOption("first_click");
    await page.getByLabel("Allowed domains").fill("shop.example.com\n.Example.net");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();
    expect(await page.getByLabel("Cookie window (days)").inputValue()).toBe("7");
    expect(await page.getByLabel("Allowed domains").inputValue()).toBe("shop.example.com\n.example.net");
    await shot(page, "09-settings-saved");
    expect(await api(`/api/v1/programs/${program.id}`, vendorKey)).toMatchObject({ cookieDays: 7, attribution: "first_click", holdDays: 7, allowedDomains: ["shop.example.com", ".example.net"] });

    await page.getByLabel("Allowed domains").fill("shop.example.com\nhttps://evil.example/path");
    await page.getByLabel("Refund window (days)").fill("0");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Nothing was saved: allowed domains:");
    // the refused form comes back with what was typed, to correct, not the stored settings
    expect(await page.getByLabel("Allowed domains").inputValue()).toBe("shop.example.com\nhttps://evil.example/path");
    expect(await page.getByLabel("Refund window (days)").inputValue()).toBe("0");
    expect(await page.getByLabel("Attribution").inputValue()).toBe("first_click");
    expect(await api(`/api/v1/programs/${program.id}`, vendorKey)).toMatchObject({ holdDays: 7, allowedDomains: ["shop.example.com", ".example.net"] });
  }, 60_000);
});
