import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startServer } from "./browser";

// A whole program set up and changed through the dashboard alone, in Chromium: a new program
// (its keys shown once), a rule, a tier, a partner, a link; the link edited, archived and
// unarchived; the postback key rotated. Only the vendor (and its key to sign in) comes from the API.

const ADMIN_KEY = "e2e-admin-key-0123456789";
const ARTIFACTS = "test-artifacts";

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/manage-${name}.png`, fullPage: true });
/** Waits for the flash message that says this. */
const flash = (page: Page, text: string) => page.locator(".flash", { hasText: text }).waitFor();
const sale = (key: string, orderId: string) =>
  fetch(`${server.base}/v1/conversions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ orderId, event: "sale", amount: "50.00", currency: "EUR" }) });

describe("running a program from the dashboard alone", () => {
  let vendorKey = "";

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchBrowser();
    server = await startServer({ AFFLUX_ADMIN_KEY: ADMIN_KEY });
    const res = await fetch(`${server.base}/api/v1/vendors`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ name: "Journey Co" }) });
    vendorKey = ((await res.json()) as { apiKey: string }).apiKey;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("creates a program, a rule, a tier, a partner and a link, edits, archives and unarchives the link, rotates the postback key", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept()); // the confirm() of destructive forms
    await page.goto(`${server.base}/app`);
    await page.getByLabel("Vendor admin key").fill(vendorKey);
    await page.getByRole("button", { name: "Sign in" }).click();

    // 1. a program, from the welcome page; its keys are shown once
    await page.getByRole("link", { name: "Create a program" }).click();
    await page.getByLabel("Program name").fill("Journey Shop");
    await page.getByLabel("Currency").fill("EUR");
    // a public suffix is refused by the server, with the reason; what was typed stays
    await page.getByLabel("Allowed domains").fill("com");
    await page.getByRole("button", { name: "Create program" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("public suffix");
    expect(await page.getByLabel("Program name").inputValue()).toBe("Journey Shop");
    await page.getByLabel("Allowed domains").fill("shop.example.com");
    await page.getByRole("button", { name: "Create program" }).click();
    await page.getByRole("heading", { name: "Journey Shop is ready" }).waitFor();
    expect(await page.getByText("Shown once.").count()).toBe(1);
    const postbackKey = await page.locator("#new-postback-key").inputValue();
    expect(postbackKey).toMatch(/^afx_pb_/);
    await shot(page, "01-program-created");
    await page.getByRole("link", { name: "Go to the program" }).click();
    await page.waitForURL(/\/app\/p\/prg_[^/]+$/);
    const base = new URL(page.url()).pathname;

    // 2. a rule, and the precedence table
    await page.getByRole("link", { name: "Rules & tiers" }).click();
    await page.getByLabel("Value").fill("12.5");
    await page.getByRole("button", { name: "Add rule" }).click();
    await flash(page, "Rule added: 12.5% per sale.");
    const entryRow = page.locator("tr", { has: page.locator('th[scope="row"]', { hasText: "Entry" }) });
    expect(await entryRow.textContent()).toContain("12.5% (program-wide rule)");

    // 3. a tier, with its own rule beating the program-wide one
    await page.getByRole("link", { name: "Tiers →" }).click();
    await page.getByLabel("Name").fill("Gold");
    await page.getByLabel("Threshold").fill("1000.00");
    await page.getByRole("button", { name: "Add tier" }).click();
    await flash(page, "Tier Gold added");
    await page.getByRole("link", { name: "← Rules and who earns what" }).click();
    await page.getByLabel("Value").fill("20");
    await page.getByLabel("Tier").selectOption({ label: "Gold" });
    await page.getByRole("button", { name: "Add rule" }).click();
    await flash(page, "Rule added: 20% per sale.");
    const goldRow = page.locator("tr", { has: page.locator('th[scope="row"]', { hasText: "Gold" }) });
    expect(await goldRow.textContent()).toContain("20% (Gold's own rule)");
    await shot(page, "02-rules");

    // 4. a partner and 5. its link
    await page.getByRole("link", { name: "Partners", exact: true }).click();
    await page.getByLabel("Name").fill("Jo Journey");
    await page.getByLabel("Email").fill("jo@example.com");
    await page.getByRole("button", { name: "Add partner" }).click();
    await page.getByRole("heading", { level: 1, name: /Jo Journey/ }).waitFor();
    await page.getByLabel("Destination URL").fill("https://shop.example.com/start");
    await page.getByLabel("Slug (optional)").fill("jo-journey");
    await page.getByRole("button", { name: "Create link" }).click();
    await flash(page, `Link ${server.base}/jo-journey created`);
    expect((await fetch(`${server.base}/jo-journey`, { redirect: "manual" })).headers.get("location")).toContain("https://shop.example.com/start");

    // the link's page: edit the destination, archive, unarchive
    await page.getByRole("link", { name: "Links", exact: true }).click();
    await page.getByRole("link", { name: "Manage link jo-journey" }).click();
    expect(await page.locator("#link-url-text").textContent()).toBe(`${server.base}/jo-journey`);
    await page.getByLabel("Destination URL").fill("https://shop.example.com/summer");
    await page.getByLabel("Allow deep links (?to=)").check();
    await page.getByRole("button", { name: "Save link" }).click();
    await flash(page, "Link jo-journey saved");
    expect((await fetch(`${server.base}/jo-journey`, { redirect: "manual" })).headers.get("location")).toContain("https://shop.example.com/summer");
    await page.getByRole("button", { name: "Archive link" }).click();
    await flash(page, "Link jo-journey archived");
    expect((await fetch(`${server.base}/jo-journey`, { redirect: "manual" })).status).toBe(404);
    await page.getByRole("button", { name: "Unarchive link" }).click();
    await flash(page, "Link jo-journey is active again.");
    expect((await fetch(`${server.base}/jo-journey`, { redirect: "manual" })).status).toBe(302);
    await shot(page, "03-link");

    // 6. rotate the postback key: the old one stops, the new one (shown once) works
    expect((await sale(postbackKey, "before-rotation")).status).toBeLessThan(300);
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByRole("button", { name: "Rotate the postback key" }).click();
    await page.getByRole("heading", { name: "New postback key" }).waitFor();
    const fresh = await page.locator("#new-postback-key").inputValue();
    expect(fresh).not.toBe(postbackKey);
    expect((await sale(postbackKey, "after-rotation")).status).toBe(401);
    expect((await sale(fresh, "after-rotation")).status).toBeLessThan(300);
    await page.reload();
    expect(await page.content()).not.toContain(fresh); // shown once
    await shot(page, "04-keys");
    await context.close();
    expect(base).toMatch(/^\/app\/p\/prg_/);
  }, 120_000);

  it("keeps the full link URL readable at 375 px: wrapped text, nothing cut off", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${server.base}/app`);
    await page.getByLabel("Vendor admin key").fill(vendorKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    const base = new URL(page.url()).pathname;
    await page.goto(`${server.base}${base}/links`);
    await page.getByRole("link", { name: "Manage link jo-journey" }).click();
    const box = await page.locator("#link-url-text").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(box.right).toBeLessThanOrEqual(375);
    expect(await page.locator('button[data-copy="link-url"]').isVisible()).toBe(true);
    await shot(page, "05-link-375px");
    await context.close();
  }, 60_000);
});
