import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, postConversion, PUBLIC_URL, type TestApp } from "../helpers/app";
import { csvNumber, toCsv } from "../../src/http/csv";
import { signedIn } from "../helpers/dashboard";

// Every CSV export holds every row its filter matches, not the page on screen (100 rows) or one
// API page: a program with 1,500 commissions exports 1,500, streamed page by page. Money and
// counts stay numbers; text is still guarded against formula injection.

const N = 1500;
/** The body as text, and how many chunks it came in (a streamed export comes in several). */
async function readAll(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  return { text, chunks, lines: text.trimEnd().split("\r\n") };
}

describe("CSV exports with 1,500 commissions", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let manager = "";
  let partner = "";

  beforeAll(async () => {
    t = await createTestApp();
    // a partner name a spreadsheet would run as a formula
    f = await createFixture(t, { partner: { name: "=HYPERLINK(\"http://evil\")", coupon: "ANNA10" } });
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, N - i) }, async (_, j) =>
        okJson(await postConversion(t, f.postbackKey, { orderId: `ord-${i + j}`, event: "sale", amount: "100.00", currency: "USD", coupon: "ANNA10" }), 201)));
    }
    manager = await signedIn(t, f.vendorKey, "app");
    partner = await signedIn(t, f.partner.apiKey, "portal");
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const page = (path: string, cookie: string) => t.request(`${PUBLIC_URL}${path}`, { headers: { cookie } });

  function expectRows(csv: Awaited<ReturnType<typeof readAll>>, header: string, amountColumn: string) {
    expect(csv.lines[0]!.startsWith(header), csv.lines[0]).toBe(true); // (later columns may follow)
    expect(csv.lines.length - 1).toBe(N);
    const col = csv.lines[0]!.split(",").indexOf(amountColumn);
    expect(col).toBeGreaterThanOrEqual(0);
    // money is a plain number cell, never quote-prefixed
    expect(new Set(csv.lines.slice(1).map((l) => l.split(",")[col]))).toEqual(new Set(["20.00"]));
    expect(csv.chunks).toBeGreaterThan(1);
  }

  it("the API's commission list with format=csv holds all 1,500, not one page", async () => {
    const res = await t.request(`/api/v1/commissions?programId=${f.program.id}&format=csv&limit=10`, { key: f.vendorKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const csv = await readAll(res);
    expectRows(csv, "id,conversionId,partnerId,amount,currency,status,createdAt,availableAt", "amount");
    expect(new Set(csv.lines.slice(1).map((l) => l.split(",")[0])).size).toBe(N); // no row twice
  });

  it("the API's conversion list with format=csv holds all 1,500", async () => {
    const res = await t.request(`/api/v1/conversions?programId=${f.program.id}&format=csv`, { key: f.vendorKey });
    expect(res.status).toBe(200);
    const csv = await readAll(res);
    expect(csv.lines.length - 1).toBe(N);
    const amount = csv.lines[0]!.split(",").indexOf("amount");
    expect(csv.lines.slice(1).every((l) => l.split(",")[amount] === "100.00")).toBe(true);
    expect(new Set(csv.lines.slice(1).map((l) => l.split(",")[1])).size).toBe(N);
  });

  it("the dashboard's commissions export holds all 1,500 (the page shows 100), names quote-prefixed", async () => {
    const shown = await (await page(`/app/p/${f.program.id}/commissions?status=all`, manager)).text();
    expect(shown.match(/<tr>/g)!.length - 1).toBe(100);
    const res = await page(`/app/p/${f.program.id}/commissions?status=all&format=csv&table=commissions`, manager);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const csv = await readAll(res);
    expectRows(csv, "Created,Partner,Amount,Status,Available", "Amount");
    expect(csv.lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it("the dashboard's conversions export and a partner page's commissions export hold all 1,500", async () => {
    const conv = await readAll(await page(`/app/p/${f.program.id}/conversions?format=csv&table=conversions`, manager));
    expect(conv.lines.length - 1).toBe(N);
    const partnerCsv = await readAll(await page(`/app/p/${f.program.id}/partners/${f.partner.id}?format=csv&table=commissions`, manager));
    expectRows(partnerCsv, "Created,Partner,Amount,Status,Available", "Amount");
  });

  it("the portal's commissions export holds all 1,500 of the partner's, with order and link", async () => {
    const csv = await readAll(await page("/portal/earnings?format=csv&table=commissions", partner));
    expectRows(csv, "Created,Order,Link,Amount,Status,Available", "Amount");
    expect(new Set(csv.lines.slice(1).map((l) => l.split(",")[1])).size).toBe(N);
    expect(csv.lines.slice(1).every((l) => /,ord-\d+,/.test(l))).toBe(true);
  });

  it("keeps money and counts numeric but quote-prefixes text that starts like a formula", () => {
    expect(toCsv(["amount", "count", "note", "name"], [[csvNumber("-10.00"), 3, "-10.00", "@SUM(1)"]])).toBe("amount,count,note,name\r\n-10.00,3,'-10.00,'@SUM(1)\r\n");
  });
});
