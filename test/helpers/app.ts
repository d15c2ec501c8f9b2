import { openAndMigrate } from "../../src/bootstrap";
import { ClientClickStore } from "../../src/db/queries/clicks";
import { hashApiKey } from "../../src/domain/ids";
import { memoryRateLimits, type RateRules } from "../../src/domain/rateLimit";
import { createApp } from "../../src/http/app";
import { LinkCache } from "../../src/http/tracking/linkCache";
import { headerFacts } from "../../src/http/tracking/requestFacts";
import { BatchingClickSink } from "../../src/services/tracking/clickSink";
import { conversionWriter } from "../../src/services/tracking/conversions";
import { groupCommitClient } from "../../src/db/nativeBatch";
import type { TargetPolicy } from "../../src/services/webhooks/targets";

export const ADMIN_KEY = "test-admin-key-0123456789";
export const SECRET = "test-secret-0123456789abcdef";
export const PUBLIC_URL = "https://go.test";

export const NO_RATE_LIMITS: RateRules = { failedAuth: null, api: null, postback: null, pixel: null, pixelHold: null, applicationForm: null };

/**
 * The real app over a fresh in-memory libSQL database. `clock.now` can be moved to test windows;
 * `flushClicks()` stores what the redirects pushed (the sink otherwise writes on a timer).
 * Rate limits are off unless `rateRules` asks for some (the rate-limit tests set small ones), so
 * that other tests may send as many requests from one address as they need.
 */
export async function createTestApp(opts: { now?: number; rateRules?: Partial<RateRules>; databaseUrl?: string; webhookTargets?: TargetPolicy } = {}) {
  const clock = { now: opts.now ?? Date.now() };
  const { database, secret } = await openAndMigrate(opts.databaseUrl ?? ":memory:", undefined, SECRET);
  const store = new ClientClickStore(database.client);
  const clickSink = new BatchingClickSink({ store, secret, journalPath: null, flushIntervalMs: 60_000 });
  const linkCache = new LinkCache(database.db, { now: () => clock.now });
  const conversionClient = groupCommitClient(database); // as the server wires it: native on a file
  const app = createApp({
    db: database.db, secret, clickSink, linkCache, now: () => clock.now, publicUrl: PUBLIC_URL,
    adminKeyHash: hashApiKey(ADMIN_KEY), readClickFacts: headerFacts({ ipHeader: "x-test-ip", fallbackIp: () => "203.0.113.7" }),
    rateLimits: memoryRateLimits({ ...NO_RATE_LIMITS, ...opts.rateRules }, () => clock.now),
    writes: conversionWriter(conversionClient),
    ...(conversionClient.row ? { prepared: { row: conversionClient.row.bind(conversionClient) } } : {}),
    ...(opts.webhookTargets ? { webhookTargets: opts.webhookTargets } : {}),
  });
  const request = (path: string, init: RequestInit & { key?: string; json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key) headers.set("authorization", `Bearer ${init.key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    return app.request(path.startsWith("http") ? path : `${PUBLIC_URL}${path}`, { ...init, headers, body });
  };
  return {
    app, db: database.db, client: database.client, clock, clickSink, request,
    flushClicks: () => clickSink.flush(),
    close: async () => { await clickSink.close(); conversionClient.close(); database.close(); },
  };
}
export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export const BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

/** Factory for a vendor with one program, partner and link; every field overridable. */
export async function createFixture(t: TestApp, overrides: { program?: Record<string, unknown>; partner?: Record<string, unknown>; link?: Record<string, unknown> } = {}) {
  const vendor = await (await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Acme" } })).json();
  const vendorKey: string = vendor.apiKey;
  const programRes = await t.request("/api/v1/programs", {
    // minConversionSeconds 0: tests convert in the same instant as their click (the fraud tests set it)
    method: "POST", key: vendorKey,
    json: { name: "Shop", allowedDomains: ["shop.example.com", ".example.org"], holdDays: 0, minConversionSeconds: 0, ...overrides.program },
  });
  if (programRes.status !== 201) throw new Error(`program: ${programRes.status} ${await programRes.text()}`);
  const program = await programRes.json();
  const partner = await (await t.request(`/api/v1/programs/${program.id}/partners`, {
    method: "POST", key: vendorKey, json: { name: "Anna", email: "anna@example.com", coupon: "ANNA10", ...overrides.partner },
  })).json();
  const link = await (await t.request("/api/v1/links", {
    method: "POST", key: vendorKey, json: { programId: program.id, partnerId: partner.id, destination: "https://shop.example.com/p", slug: "anna", ...overrides.link },
  })).json();
  const rule = await (await t.request(`/api/v1/programs/${program.id}/rules`, { method: "POST", key: vendorKey, json: { event: "sale", type: "percent", value: "20" } })).json();
  return { vendor, vendorKey, program, partner, link, rule, postbackKey: program.postbackKey as string, publicKey: program.publicKey as string };
}

/** Follows a tracked link like a browser would and returns the click id from the Location. */
export async function click(t: TestApp, slug: string, query = "", ua = BROWSER_UA): Promise<string> {
  const res = await t.request(`/${slug}${query}`, { headers: { "user-agent": ua } });
  if (res.status !== 302) throw new Error(`click on ${slug}: ${res.status}`);
  return new URL(res.headers.get("location")!).searchParams.get("afx_click")!;
}

/** Asserts the contract's error envelope and returns it. */
export async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${text}`);
  const body = JSON.parse(text) as { error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] } };
  const err = body.error;
  if (!err || err.code !== code || typeof err.message !== "string" || err.message === "" || typeof err.requestId !== "string" || err.requestId === "") {
    throw new Error(`bad error envelope (wanted ${code}): ${text}`);
  }
  if (/\bat .+:\d+:\d+/.test(text)) throw new Error(`error body leaks a stack trace: ${text}`);
  return err;
}

/** Rows of a SQL query as plain objects. */
export async function sqlRows(t: TestApp, sql: string, args: (string | number | null)[] = []): Promise<Record<string, unknown>[]> {
  const rs = await t.client.execute({ sql, args });
  return rs.rows.map((r) => Object.fromEntries(rs.columns.map((col, i) => [col, r[i]])));
}

/** COUNT(*) of a table, optionally filtered. */
export async function countRows(t: TestApp, table: string, where = "1=1", args: (string | number | null)[] = []): Promise<number> {
  const [row] = await sqlRows(t, `SELECT count(*) AS n FROM ${table} WHERE ${where}`, args);
  return Number(row?.n ?? 0);
}

/** `POST /v1/conversions` with a postback key; returns the response. */
export function postConversion(t: TestApp, key: string, json: Record<string, unknown>, init: RequestInit = {}) {
  return t.request("/v1/conversions", { ...init, method: "POST", key, json });
}

/** Adds a partner (and optionally a link for it) to an existing program. */
export async function addPartner(t: TestApp, vendorKey: string, programId: string, partner: Record<string, unknown>, link?: Record<string, unknown>) {
  const res = await t.request(`/api/v1/programs/${programId}/partners`, { method: "POST", key: vendorKey, json: partner });
  if (res.status !== 201) throw new Error(`partner: ${res.status} ${await res.text()}`);
  const created = await res.json();
  let createdLink: Record<string, unknown> & { id: string; slug: string } | null = null;
  if (link) {
    const lres = await t.request("/api/v1/links", { method: "POST", key: vendorKey, json: { programId, partnerId: created.id, destination: "https://shop.example.com/p", ...link } });
    if (lres.status !== 201) throw new Error(`link: ${lres.status} ${await lres.text()}`);
    createdLink = await lres.json();
  }
  return { partner: created as Record<string, unknown> & { id: string; apiKey: string }, link: createdLink };
}

export const MOBILE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
export const BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/** A click with full control over the request facts: query, user agent, IP (`x-test-ip`) and country (`CF-IPCountry`). */
export async function clickWith(t: TestApp, slug: string, opts: { query?: string; ua?: string; ip?: string; country?: string } = {}): Promise<string> {
  const headers: Record<string, string> = { "user-agent": opts.ua ?? BROWSER_UA };
  if (opts.ip) headers["x-test-ip"] = opts.ip;
  if (opts.country) headers["cf-ipcountry"] = opts.country;
  const res = await t.request(`/${slug}${opts.query ?? ""}`, { headers });
  if (res.status !== 302) throw new Error(`click on ${slug}: ${res.status}`);
  return new URL(res.headers.get("location")!).searchParams.get("afx_click")!;
}

/** Asserts the status (showing the body when it differs) and returns the parsed JSON body. */
export async function okJson(res: Response, status = 200) {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** `POST /v1/conversions/refund` with a postback key. */
export function postRefund(t: TestApp, key: string, json: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.request("/v1/conversions/refund", { method: "POST", key, json, headers });
}
