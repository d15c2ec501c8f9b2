import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { freePort, launchBrowser, startServer } from "./browser";

// A whole program through the dashboard alone, in Chromium (issue 10): sign in; create the
// program (its keys shown once), a rule, a tier, a partner and a link; a visitor clicks the link
// and buys in a local test shop whose pages carry the snippet exactly as Settings shows it; the
// manager approves the held pixel commission, settles, creates the payout run, marks the batch
// paid in bulk, downloads the CSV, rotates the postback key and reads it all in the audit log.
// Only the vendor (and the key to sign in with) comes from the API.

const ADMIN_KEY = "e2e-admin-key-journey-0123456789";
const ARTIFACTS = "test-artifacts";
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
/** The program's allowed domain: Chromium resolves it to 127.0.0.1, where the test shop listens. */
const SHOP_HOST = "shop.example.com";

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let shop: Server | null = null;
let SHOP = "";
/** The shop's pages, filled once Settings has shown the snippet. */
const shopPages: Record<string, string> = {};

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/journey-${name}.png`, fullPage: true });
const flash = (page: Page, text: string | RegExp) => page.locator(".flash", { hasText: text }).waitFor();
/** The text of the table row whose first cell (a row header or a cell) holds `text`. */
const rowOf = (page: Page, caption: string, text: string | RegExp) =>
  page.locator("table", { has: page.locator("caption", { hasText: caption }) }).locator("tbody tr", { hasText: text });

describe("a whole program through the dashboard alone", () => {
  let vendorKey = "";

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchBrowser([`--host-resolver-rules=MAP ${SHOP_HOST} 127.0.0.1`]);
    const port = await freePort();
    SHOP = `http://${SHOP_HOST}:${port}`;
    shop = createServer((req, res) => {
      const body = shopPages[new URL(req.url ?? "/", "http://x").pathname];
      res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(body ?? "not found");
    }).listen(port, "127.0.0.1");
    server = await startServer({ AFFLUX_ADMIN_KEY: ADMIN_KEY });
    const res = await fetch(`${server.base}/api/v1/vendors`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ name: "Journey Outdoor" }) });
    vendorKey = ((await res.json()) as { apiKey: string }).apiKey;
  }, 90_000);

  afterAll(async () => {
    shop?.close();
    await browser?.close();
    await server?.stop();
  });

  it("program, rule, tier, partner, link; a click and a snippet sale; approve, settle, pay in bulk, CSV, key rotation, audit log", async () => {
    const manager = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", acceptDownloads: true });
    const page = await manager.newPage();
    page.on("dialog", (d) => void d.accept()); // the confirm() of forms that change money or keys
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));

    // sign in
    await page.goto(`${server.base}/app`);
    await page.getByLabel("Vendor admin key").fill(vendorKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("You have no program yet.").waitFor();

    // 1. the program: no refund window and a 1.00 minimum, so today's sale is paid today
    await page.getByRole("link", { name: "Create a program" }).click();
    await page.getByLabel("Program name").fill("Journey Outdoor");
    await page.getByLabel("Refund window (days)").fill("0");
    await page.getByLabel("Minimum payout").fill("1.00");
    await page.getByLabel("Allowed domains").fill(SHOP_HOST);
    await page.getByRole("button", { name: "Create program" }).click();
    await page.getByRole("heading", { name: "Journey Outdoor is ready" }).waitFor();
    expect(await page.getByText("Shown once.").count()).toBe(1);
    const postbackKey = await page.locator("#new-postback-key").inputValue();
    const publicKey = await page.locator("#new-public-key").inputValue();
    expect(postbackKey).toMatch(/^afx_pb_/);
    expect(publicKey).toMatch(/^afx_pub_/);
    await page.getByRole("link", { name: "Go to the program" }).click();
    await page.waitForURL(/\/app\/p\/prg_[A-Za-z0-9]+$/);
    const programId = /prg_[A-Za-z0-9]+/.exec(page.url())![0];

    // 2. a rule: 10% of every sale
    await page.getByRole("link", { name: "Rules & tiers" }).click();
    await page.getByLabel("Value").fill("10");
    await page.getByRole("button", { name: "Add rule" }).click();
    await flash(page, "Rule added: 10% per sale.");
    expect(await page.locator("tr", { has: page.locator('th[scope="row"]', { hasText: "Entry" }) }).textContent()).toContain("10% (program-wide rule)");

    // 3. a tier
    await page.getByRole("link", { name: "Tiers →" }).click();
    await page.getByLabel("Name").fill("Gold");
    await page.getByLabel("Threshold").fill("1000.00");
    await page.getByRole("button", { name: "Add tier" }).click();
    await flash(page, "Tier Gold added");
    expect(await rowOf(page, "Tiers", "Gold").textContent()).toContain("1,000.00");

    // 4. a partner and 5. its link
    await page.getByRole("link", { name: "Partners", exact: true }).click();
    await page.getByLabel("Name").fill("Jo Journey");
    await page.getByLabel("Email").fill("jo@example.com");
    await page.getByRole("button", { name: "Add partner" }).click();
    await page.getByRole("heading", { level: 1, name: /Jo Journey/ }).waitFor();
    const partnerId = /ptn_[A-Za-z0-9]+/.exec(page.url())![0];
    await page.getByLabel("Destination URL").fill(`${SHOP}/landing`);
    await page.getByLabel("Slug (optional)").fill("jo-trail");
    await page.getByRole("button", { name: "Create link" }).click();
    await flash(page, `Link ${server.base}/jo-trail created`);
    await page.getByRole("link", { name: "Links", exact: true }).click();
    await page.getByRole("link", { name: "Manage link jo-trail" }).click();
    const linkUrl = await page.locator("#link-url-text").textContent();
    expect(linkUrl).toBe(`${server.base}/jo-trail`);
    await shot(page, "01-link");

    // the snippet, as Settings → "Track conversions" shows it: the key from the program's creation
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    const tag = await page.locator("#snippet").inputValue();
    const call = (await page.locator("#conv-call").textContent()) ?? "";
    expect(tag).toBe(`<script src="${server.base}/afflux.js" data-pk="${publicKey}" defer></script>`);
    expect(call).toContain('afflux.push(["conversion", { orderId: "ORDER_ID", amount: "49.99", currency: "USD", event: "sale" }]);');

    // the shop: every page carries the tag, the thank-you page also the call, both verbatim
    shopPages["/landing"] = `<!doctype html><html><head>${tag}</head><body><h1>Tents</h1><a href="/thanks">Buy</a></body></html>`;
    shopPages["/thanks"] = `<!doctype html><html><head>${tag}</head><body><h1>Thank you</h1>\n${call}\n</body></html>`;

    // 6. the click: the visitor's browser follows the tracked link (served by afflux) to the shop
    const visitor = await browser.newContext({ userAgent: UA });
    const v = await visitor.newPage();
    const shopErrors: string[] = [];
    v.on("pageerror", (e) => shopErrors.push(e.message));
    await v.goto(linkUrl!);
    const landed = new URL(v.url());
    expect(landed.origin + landed.pathname).toBe(`${SHOP}/landing`);
    const clickId = landed.searchParams.get("afx_click");
    expect(clickId).toMatch(/\S/);
    await v.waitForFunction(() => document.cookie.includes("afx_click="));
    // 7. the sale: the thank-you page sends the pixel
    const pixel = v.waitForRequest((r) => r.url().startsWith(`${server.base}/px.gif?`));
    await v.getByRole("link", { name: "Buy" }).click();
    await v.getByRole("heading", { name: "Thank you" }).waitFor();
    const sent = new URL((await pixel).url());
    expect(sent.searchParams.get("order")).toBe("ORDER_ID");
    expect(sent.searchParams.get("click")).toBe(clickId);
    expect(shopErrors).toEqual([]);
    await visitor.close();

    // the click and the conversion show in the dashboard
    await page.getByRole("link", { name: "Links", exact: true }).click();
    await page.getByRole("link", { name: "Manage link jo-trail" }).click();
    await page.getByRole("link", { name: /click log/i }).click();
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.getByRole("link", { name: "Conversions", exact: true }).click();
    await page.getByLabel("Order id").fill("ORDER_ID");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/[?&]order=ORDER_ID/);
    let conversionRow = rowOf(page, "Conversions", "ORDER_ID");
    for (let i = 0; i < 40 && !(await conversionRow.count()); i++) {
      await new Promise((r) => setTimeout(r, 250)); // the pixel's write is not awaited by the GIF
      await page.reload();
      conversionRow = rowOf(page, "Conversions", "ORDER_ID");
    }
    expect(await conversionRow.textContent()).toContain("Jo Journey");
    expect(await rowOf(page, "Conversions", /./).count()).toBe(1);

    // 8. review: the pixel sale waits in the queue as "Needs review"; approve it
    await page.getByRole("link", { name: "Commissions", exact: true }).click();
    const held = rowOf(page, "Commissions", "Jo Journey");
    expect(await held.locator(".badge").textContent()).toBe("Needs review");
    expect(await held.textContent()).toContain("$5.00");
    await held.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Approve selected" }).click();
    await flash(page, "Approved 1 commission.");
    await shot(page, "02-approved");

    // 9. the payout run: settle (the 0-day refund window has passed), create, mark the batch paid
    await page.getByRole("link", { name: "Payouts", exact: true }).click();
    await page.getByText("1 commission waits for the 0-day refund window").waitFor();
    await page.getByRole("button", { name: "Settle now" }).click();
    await flash(page, "Settled: 1 commission approved for payout.");
    await page.getByText("1 partner has $5.00 of approved commissions").waitFor();
    await page.getByRole("button", { name: "Create payouts" }).click();
    await flash(page, /Created 1 payout of \$5\.00 in total \(batch bat_\S+\)\./);
    const payoutRow = rowOf(page, "Payouts", "Jo Journey");
    expect(await payoutRow.locator(".badge").textContent()).toBe("Pending");
    await page.getByRole("button", { name: /^Mark all paid: batch bat_\S+, 1 pending payout$/ }).click();
    await flash(page, /Marked 1 payout of batch bat_\S+ paid\./);
    expect(await payoutRow.locator(".badge").textContent()).toBe("Paid");
    await shot(page, "03-paid");

    // 10. the CSV export, downloaded from the table's link: the paid payout's row
    const panel = page.locator("section", { has: page.locator("caption", { hasText: "Payouts" }) });
    const [download] = await Promise.all([page.waitForEvent("download"), panel.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(csv.slice(1)).toEqual([expect.stringMatching(/Jo Journey,jo@example\.com,5\.00,1,paid,/)]);

    // 11. rotate the postback key: a new one, shown once, and the old one listed as replaced
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByRole("button", { name: "Rotate the postback key" }).click();
    await page.getByRole("heading", { name: "New postback key" }).waitFor();
    await page.getByText("The old postback key stopped working now.").waitFor();
    const fresh = await page.locator("#new-postback-key").inputValue();
    expect(fresh).toMatch(/^afx_pb_/);
    expect(fresh).not.toBe(postbackKey);
    // reloading the answer sends the form again: it must not replace the key just shown
    await page.reload();
    await page.getByText("this postback key was already replaced").waitFor();
    expect(await page.content()).not.toContain(fresh);
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    expect(await page.content()).not.toContain(fresh); // shown once
    expect(await rowOf(page, "Program keys", "Postback key").count()).toBe(1); // the old one stopped at once

    // 12. the audit log: every change above, by the signed-in manager, with before → after
    await page.getByRole("link", { name: "Audit log", exact: true }).click();
    const entries = await page.locator("table", { has: page.locator("caption", { hasText: "Audit log" }) }).locator("tbody tr").allTextContents();
    const entry = (action: string) => entries.filter((e) => e.includes(action));
    await shot(page, "04-audit");
    for (const action of ["program.create", "rule.create", "tier.create", "partner.create", "link.create", "commission.approve", "payout.create", "payout_batch.paid", "payout.pay", "key.rotate"]) {
      expect(entry(action), `${action} in:\n${entries.join("\n")}`).toHaveLength(1);
    }
    expect(entry("program.create")[0]).toContain("holdDays: — → 0");
    expect(entry("rule.create")[0]).toContain("value: — → 10");
    expect(entry("tier.create")[0]).toContain("name: — → Gold");
    expect(entry("partner.create")[0]).toContain(partnerId);
    expect(entry("partner.create")[0]).toContain("email: — → jo@example.com");
    expect(entry("link.create")[0]).toContain("slug: — → jo-trail");
    expect(entry("commission.approve")[0]).toContain("status: hold → pending");
    expect(entry("payout.create")[0]).toContain("amount: — → 5.00");
    expect(entry("payout_batch.paid")[0]).toContain("status: pending → paid");
    expect(entry("payout.pay")[0]).toContain("status: pending → paid");
    expect(entry("key.rotate")[0]).toContain("kind: — → postback");
    // every entry names the manager's key as the one who did it
    expect(entries.every((e) => /vendor \(key key_\S+\)/.test(e))).toBe(true);
    expect(pageErrors).toEqual([]);
    await manager.close();
    expect(programId).toMatch(/^prg_/);
  }, 180_000);
});
