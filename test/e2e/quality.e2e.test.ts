import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { auditPage, smallScreenAudit } from "./audit";
import { launchBrowser, startServer } from "./browser";

// Accessibility and small-screen checks of every main page on the demo data (25 partners, 90 days):
// WCAG AA contrast in light and dark mode, labelled fields, no sideways scrolling at 375 px, and
// the dashboard driven by keyboard alone.

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let vendorKey = "";
let partnerKey = "";
let programId = "";

async function signIn(context: BrowserContext, area: "app" | "portal", key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.base}/${area}`);
  await page.getByLabel(area === "app" ? "Vendor admin key" : "Partner key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  return page;
}

/** The main pages: manager pages (detail pages found by following the first link of their list) and the portal. */
async function mainPages(page: Page): Promise<string[]> {
  const p = `/app/p/${programId}`;
  await page.goto(`${server.base}${p}/partners`);
  const partner = await page.locator(`a[href^="${p}/partners/"]`).first().getAttribute("href");
  await page.goto(`${server.base}${p}/conversions`);
  const conversion = await page.locator(`a[href^="${p}/conversions/"]`).first().getAttribute("href");
  await page.goto(`${server.base}${p}/payouts`);
  const payout = await page.locator(`a[href^="${p}/payouts/"]`).first().getAttribute("href");
  await page.goto(`${server.base}${p}/links`);
  const link = await page.locator('a[aria-label^="Manage link"]').first().getAttribute("href");
  await page.goto(`${server.base}${p}/rules`);
  const rule = await page.locator(`a[href^="${p}/rules/"]`).first().getAttribute("href");
  await page.goto(`${server.base}${p}/tiers`);
  const tier = await page.locator(`a[href^="${p}/tiers/"]`).first().getAttribute("href");
  await page.goto(`${server.base}${p}/webhooks`);
  const webhook = await page.locator(`a[href^="${p}/webhooks/"]`).first().getAttribute("href");
  await page.goto(`${server.base}${p}/application-form`);
  applyPage = new URL((await page.locator('a[href*="/apply/"]').first().getAttribute("href"))!).pathname;
  expect([partner, conversion, payout, link, rule, tier, webhook]).not.toContain(null);
  return [
    p, `${p}/journey`, `${p}/partners`, `${p}/partners?q=a`, partner!, `${partner}/edit`, `${p}/applications`, `${p}/application-form`, `${p}/agreement`,
    `${p}/links`, `${p}/links?q=a`, link!, `${link}/clicks`, `${p}/commissions`, `${p}/commissions?status=hold`,
    `${p}/conversions`, conversion!, `${p}/payouts`, payout!, `${p}/outbox`, `${p}/integrations`, `${p}/rules`, rule!, `${p}/tiers`, tier!, `${p}/keys`,
    `${p}/deals`, `${p}/leads`, `${p}/settings`, `${p}/audit`, `${p}/webhooks`, webhook!, `${p}/announcements`, "/app/programs/new",
  ];
}

/** The portal's pages; a link's own page is found from the list. */
async function portalPages(page: Page): Promise<string[]> {
  await page.goto(`${server.base}/portal/links`);
  const link = await page.locator('a[href^="/portal/links/lnk_"]').first().getAttribute("href");
  expect(link).not.toBeNull();
  return ["/portal", "/portal/links", link!, "/portal/earnings", "/portal/deals", "/portal/leads", "/portal/key", "/portal/postbacks", "/portal/announcements"];
}
let PORTAL_PAGES: string[] = [];
/** The program's public application form (no sign-in), found on its settings page. */
let applyPage = "";

/** A deal the partner registered, a lead the manager offered and a webhook endpoint, so their pages have rows. */
async function seedCoselling() {
  const call = async (path: string, key: string, json: unknown) => {
    const res = await fetch(`${server.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(json) });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await call("/api/v1/me/deals", partnerKey, { company: "Northwind Traders", contactName: "Nina North", contactEmail: "nina@northwind.example", value: "1200.00", domain: "northwind.example" });
  await call(`/api/v1/programs/${programId}/leads`, vendorKey, { company: "Contoso Outdoor", contactEmail: "buyer@contoso.example", country: "DE", value: "800.00" });
  await call("/api/v1/webhooks", vendorKey, { url: "http://127.0.0.1:9/afflux", events: ["*"], programId });
}

describe("dashboard quality on the demo data", () => {
  let managerPages: string[] = [];

  beforeAll(async () => {
    mkdirSync("test-artifacts", { recursive: true });
    browser = await launchBrowser();
    // private webhook targets: the seeded endpoint is a closed local port, so its page lists failed deliveries
    server = await startServer({ AFFLUX_WEBHOOK_ALLOW_PRIVATE: "1" }, { demo: true });
    vendorKey = /vendor admin key[^:]*:\s*(\S+)/.exec(server.demoOutput)?.[1] ?? "";
    partnerKey = /^partner .*key: (afx_pk_\S+)/m.exec(server.demoOutput)?.[1] ?? "";
    programId = /^program (\S+)/m.exec(server.demoOutput)?.[1] ?? "";
    expect(vendorKey && partnerKey && programId, server.demoOutput).toBeTruthy();
    await seedCoselling();
    const context = await browser.newContext();
    managerPages = await mainPages(await signIn(context, "app", vendorKey));
    PORTAL_PAGES = await portalPages(await signIn(context, "portal", partnerKey));
    await context.close();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`passes WCAG AA contrast and labels every field, in ${colorScheme} mode`, async () => {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      let checked = 0;
      for (const [area, key, pages] of [["app", vendorKey, managerPages], ["portal", partnerKey, PORTAL_PAGES]] as const) {
        const page = await signIn(context, area, key);
        for (const path of [...pages, `/${area}/nowhere`]) {
          await page.goto(`${server.base}${path}`);
          const audit = await auditPage(page);
          await page.screenshot({ path: `test-artifacts/demo-${colorScheme}${path.replace(/\/prg_[A-Za-z0-9]+/, "").replace(/\/(ptn|cnv|pay|lnk|rule|tier|whk|wh)_[A-Za-z0-9]+/, "/detail").replace(/[^A-Za-z0-9]+/g, "-")}.png`, fullPage: true });
          checked += audit.checked;
          problems.push(...audit.contrast.map((p) => `${path}: ${p}`), ...audit.fieldBorders.map((p) => `${path}: border ${p}`), ...audit.unlabeled.map((p) => `${path}: no label ${p}`));
        }
      }
      // the pages before signing in: both sign-in forms and the public application form
      const signin = await (await browser.newContext({ colorScheme })).newPage();
      for (const path of ["/app", "/portal", applyPage]) {
        await signin.goto(`${server.base}${path}`);
        const audit = await auditPage(signin);
        problems.push(...audit.contrast.map((p) => `${path}: ${p}`), ...audit.fieldBorders.map((p) => `${path}: border ${p}`), ...audit.unlabeled.map((p) => `${path}: no label ${p}`));
      }
      await signin.context().close();
      await context.close();
      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThan(500); // the audit really looked at the pages' text
    }, 120_000);
  }

  it("offers every table as CSV, with at least the rows the table shows", async () => {
    const context = await browser.newContext();
    const missing: string[] = [];
    let tables = 0;
    for (const [area, key, pages] of [["app", vendorKey, managerPages], ["portal", partnerKey, PORTAL_PAGES]] as const) {
      const page = await signIn(context, area, key);
      for (const path of pages) {
        await page.goto(`${server.base}${path}`);
        const found = await page.locator("table").evaluateAll((els) => els.map((table) => {
          const exportOf = (box: Element) => [...box.querySelectorAll("a[download]")].find((a) => a.textContent === "Export CSV");
          let box: Element | null = table;
          for (let i = 0; i < 4 && box && !exportOf(box); i++) box = box.parentElement;
          return { caption: table.querySelector("caption")?.textContent ?? "", rows: table.querySelectorAll("tbody tr").length, csv: (box && exportOf(box)?.getAttribute("href")) ?? null };
        }));
        for (const table of found) {
          tables++;
          if (!table.csv) { missing.push(`${path}: "${table.caption}" has no CSV link`); continue; }
          const res = await page.request.get(new URL(table.csv, page.url()).href);
          const lines = (await res.text()).trim().split("\n");
          if (!res.headers()["content-type"]?.includes("text/csv") || lines.length - 1 < table.rows) missing.push(`${path}: "${table.caption}" CSV has ${lines.length - 1} rows for ${table.rows} shown`);
        }
      }
    }
    await context.close();
    expect(missing).toEqual([]);
    expect(tables).toBeGreaterThan(10);
  }, 120_000);

  it("fits a 375 px wide screen: no sideways scrolling, the chart scaled to its box, every tab on screen, wide tables scroll with their first column kept", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true });
    const wide: string[] = [];
    let charts = 0;
    let scrolling = 0;
    for (const [area, key, pages] of [["app", vendorKey, managerPages], ["portal", partnerKey, PORTAL_PAGES]] as const) {
      const page = await signIn(context, area, key);
      for (const path of pages) {
        await page.goto(`${server.base}${path}`);
        const { overflowPx } = await auditPage(page);
        if (overflowPx > 0) wide.push(`${path}: ${overflowPx}px too wide`);
        wide.push(...(await smallScreenAudit(page)).map((p) => `${path}: ${p}`));
        charts += await page.locator(".chart svg").count();
        scrolling += await page.locator("table").evaluateAll((ts) => ts.filter((t) => t.scrollWidth > t.parentElement!.clientWidth + 1).length);
      }
    }
    await context.close();
    expect(wide).toEqual([]);
    expect(charts).toBeGreaterThan(1); // the overview's and the portal's chart were looked at
    expect(scrolling).toBeGreaterThan(0); // and some table was too wide for 375 px, so the sticky column was checked
  }, 120_000);

  it("works with the keyboard alone: sign in, skip link, visible focus, tabs, sorting", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.base}/app`);
    // Sign in without the mouse: Tab to the key field, type, Enter submits.
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== "key"; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("key");
    await page.keyboard.type(vendorKey);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/app/p/${programId}`);

    // The first Tab lands on the skip link, shown on focus; Enter moves to the content.
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => ({ text: document.activeElement?.textContent, left: document.activeElement!.getBoundingClientRect().left }));
    expect(skip.text).toBe("Skip to content");
    expect(skip.left).toBeGreaterThanOrEqual(0);
    await page.keyboard.press("Enter");
    expect(new URL(page.url()).hash).toBe("#main");

    // Every stop of the tab order is visible and shows a focus outline, and the tabs are reachable.
    await page.goto(`${server.base}/app/p/${programId}`);
    const stops: { tag: string; type: string | null; label: string; outline: string; shown: boolean }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      stops.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const r = el.getBoundingClientRect();
        return { tag: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`, type: el.getAttribute("type"), label: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 30), outline: getComputedStyle(el).outlineStyle, shown: r.width > 0 && r.height > 0 };
      }));
      if (stops.at(-1)!.tag.startsWith("body")) break; // past the last stop: focus left the page
    }
    expect(stops.length).toBeGreaterThan(10);
    stops.pop();
    // Tab walks through a date field's segments; Chromium highlights the focused segment itself and,
    // on the last one, no longer reports :focus on the field, so date fields are judged by that highlight.
    expect(stops.filter((s) => !s.shown || (s.outline === "none" && s.type !== "date"))).toEqual([]);
    const partnersTab = stops.findIndex((s) => s.label === "Partners");
    expect(partnersTab).toBeGreaterThan(0);

    // Go to the Partners tab by keyboard and sort its table by a column with Enter.
    await page.goto(`${server.base}/app/p/${programId}`);
    for (let i = 0; i <= partnersTab; i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/app/p/${programId}/partners`);
    const sortable = page.locator("th button.sort").first();
    await sortable.focus();
    const before = await sortable.locator("xpath=..").getAttribute("aria-sort");
    await page.keyboard.press("Enter");
    const after = await sortable.locator("xpath=..").getAttribute("aria-sort");
    expect(after).not.toBe(before);
    expect(["ascending", "descending"]).toContain(after);
    await context.close();
  }, 120_000);
});
