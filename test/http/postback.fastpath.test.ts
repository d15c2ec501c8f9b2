import { serve } from "@hono/node-server";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type RequestListener, type Server, type ServerOptions } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { groupCommitClient } from "../../src/db/nativeBatch";
import { hashApiKey } from "../../src/domain/ids";
import { DEFAULT_RATE_RULES, memoryRateLimits } from "../../src/domain/rateLimit";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/deps";
import { LinkCache } from "../../src/http/tracking/linkCache";
import { postbackFastPath, withPostbackFastPath } from "../../src/http/tracking/postbackFastPath";
import { nodeFacts } from "../../src/http/tracking/requestFacts";
import { conversionWriter } from "../../src/services/tracking/conversions";
import type { ClickEvent } from "../../src/services/tracking/clickEvent";
import { ADMIN_KEY, SECRET, type TestApp, createFixture } from "../helpers/app";

/**
 * The Node server's postback fast path must answer exactly like the full app. Two real Node
 * servers share one set of dependencies on a database file (so the native group commit is the
 * one in use, as in `npm start`): `plain` is the adapter over `app.fetch`, `fast` has the fast
 * path in front. Each case is sent to both, with order ids made distinct per server, and the
 * answers compared once ids, times and request ids are replaced by placeholders.
 */
interface Answer { status: number; type: string | undefined; retryAfter: string | undefined; body: string }

function send(port: number, path: string, headers: Record<string, string>, body: string | Buffer, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string | number> = { ...headers };
    if (!chunked) h["content-length"] = Buffer.byteLength(body);
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path, headers: h }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], retryAfter: res.headers["retry-after"] as string | undefined, body: text }));
    });
    req.on("error", reject);
    if (chunked) {
      req.write(body.slice(0, 5));
      req.end(body.slice(5));
    } else req.end(body);
  });
}

/** Ids, times and request ids differ between the two servers by nature; the rest must not. */
function normalised(a: Answer, side: string): Answer {
  const body = a.body
    .replaceAll(`${side}-`, "<side>-")
    .replace(/\b(cnv|com|cus)_[A-Za-z0-9_-]+/g, "$1_<id>")
    .replace(/"(createdAt|occurredAt|availableAt|at|updatedAt)":"[^"]*"/g, '"$1":"<time>"')
    .replace(/("requestId":")[^"]*"/g, '$1<id>"');
  return { ...a, body };
}

describe("Node postback fast path", () => {
  const dir = mkdtempSync(join(tmpdir(), "afflux-postback-fast-"));
  const servers: Server[] = [];
  let plainPort = 0;
  let fastPort = 0;
  let fast: ReturnType<typeof postbackFastPath>;
  let postbackKey = "";
  let vendorKey = "";
  let clickId = "";
  let close = () => {};

  beforeAll(async () => {
    const { database, secret } = await openAndMigrate(`file:${join(dir, "afflux.db")}`, undefined, SECRET);
    const writeClient = groupCommitClient(database);
    close = () => {
      writeClient.close();
      database.close();
    };
    const clicks: ClickEvent[] = [];
    const deps: AppDeps = {
      db: database.db, secret, clickSink: { push: (e) => void clicks.push(e) },
      linkCache: new LinkCache(database.db, { ttlMs: 600_000 }), now: Date.now, publicUrl: "http://go.test",
      adminKeyHash: hashApiKey(ADMIN_KEY), readClickFacts: nodeFacts({ trustForwardedFor: false }),
      rateLimits: memoryRateLimits(DEFAULT_RATE_RULES, Date.now), writes: conversionWriter(writeClient),
    };
    const app = createApp(deps);
    fast = postbackFastPath(deps);
    const request = (path: string, init: RequestInit & { key?: string; json?: unknown } = {}) =>
      app.request(`http://go.test${path}`, {
        ...init,
        headers: { authorization: `Bearer ${init.key}`, "content-type": "application/json" },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
    const fixture = await createFixture({ request } as unknown as TestApp);
    postbackKey = fixture.postbackKey;
    vendorKey = fixture.vendorKey;
    const redirect = await app.request("http://go.test/anna", { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0" } });
    clickId = new URL(redirect.headers.get("location")!).searchParams.get("afx_click")!;

    const start = (createServerFn?: typeof createServer) =>
      new Promise<number>((resolve) => {
        servers.push(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", createServer: createServerFn }, (info) => resolve(info.port)) as Server);
      });
    const withFastPath = ((options: ServerOptions, listener: RequestListener) => createServer(options, withPostbackFastPath(listener, fast))) as typeof createServer;
    plainPort = await start();
    fastPort = await start(withFastPath);
  });

  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Sends one case to both servers (the body built per side, so that orders stay apart) and
   * compares the answers; returns the fast server's answer and whether the fast path served it.
   */
  async function compare(body: (side: string) => string | Buffer, headers: Record<string, string> = {}, opts: { chunked?: boolean; key?: string | null } = {}) {
    const h: Record<string, string> = { "content-type": "application/json", ...headers };
    const key = opts.key === undefined ? postbackKey : opts.key;
    if (key !== null) h.authorization = `Bearer ${key}`;
    const viaApp = await send(plainPort, "/v1/conversions", h, body("plain"), opts.chunked);
    const served = fast.stats.served;
    const viaFastPath = await send(fastPort, "/v1/conversions", h, body("fast"), opts.chunked);
    expect(normalised(viaFastPath, "fast")).toEqual(normalised(viaApp, "plain"));
    return { answer: viaFastPath, served: fast.stats.served > served };
  }

  const sale = (extra: Record<string, unknown> = {}) => (side: string) =>
    JSON.stringify({ event: "sale", orderId: `${side}-order-1`, amount: "49.99", currency: "USD", clickId, ...extra });

  it("records a new sale with a click itself, answering what the app answers", async () => {
    const r = await compare(sale());
    expect(r).toMatchObject({ served: true, answer: { status: 201 } });
    expect(JSON.parse(r.answer.body)).toMatchObject({ attribution: { via: "click" } });
  });

  it("answers a replay itself with the stored conversion", async () => {
    const r = await compare(sale());
    expect(r).toMatchObject({ served: true, answer: { status: 200 } });
  });

  it("hands conflicts, bad input and bad keys to the app, which answers them the same", async () => {
    const order = (name: string) => (side: string) => `${side}-${name}`;
    const cases: [string, () => ReturnType<typeof compare>, number][] = [
      ["conflict", () => compare(sale({ amount: "10.00" })), 409],
      ["bad json", () => compare(() => "{not json"), 400],
      ["invalid amount", () => compare((side) => sale({ orderId: order("neg")(side), amount: "-1" })(side)), 400],
      ["order id too long", () => compare((side) => sale({ orderId: `${side}-${"x".repeat(300)}` })(side)), 400],
      ["lead without amount is fine, a sale is not", () => compare((side) => sale({ orderId: order("no-amount")(side), amount: undefined })(side)), 400],
      ["no key", () => compare((side) => sale({ orderId: order("no-key")(side) })(side), {}, { key: null }), 401],
      ["unknown key", () => compare((side) => sale({ orderId: order("unknown-key")(side) })(side), {}, { key: "afx_pb_nosuchkey0000000000" }), 401],
      ["vendor key", () => compare((side) => sale({ orderId: order("vendor-key")(side) })(side), {}, { key: vendorKey }), 403],
      ["admin key", () => compare((side) => sale({ orderId: order("admin-key")(side) })(side), {}, { key: ADMIN_KEY }), 403],
    ];
    for (const [name, run, status] of cases) {
      const r = await run();
      expect(r.answer.status, name).toBe(status);
      expect(r.served, name).toBe(false);
    }
  });

  it("leaves other content types, chunked and oversized bodies to the app", async () => {
    const plainText = await compare((side) => sale({ orderId: `${side}-text` })(side), { "content-type": "text/plain" });
    expect(plainText.served).toBe(false);
    const chunked = await compare((side) => sale({ orderId: `${side}-chunked` })(side), {}, { chunked: true });
    expect(chunked).toMatchObject({ served: false, answer: { status: 201 } });
    const huge = await compare((side) => JSON.stringify({ event: "sale", orderId: `${side}-huge`, amount: "1.00", currency: "USD", pad: "x".repeat(70_000) }));
    expect(huge).toMatchObject({ served: false, answer: { status: 413 } });
  });

  it("records one conversion per order on each side, whatever path answered", async () => {
    const check = await compare((side) => sale({ orderId: `${side}-order-2`, clickId: undefined, customer: "c-1" })(side));
    expect(check).toMatchObject({ served: true, answer: { status: 201 } });
    const list = (await (await fetch(`http://127.0.0.1:${plainPort}/api/v1/conversions?limit=100`, { headers: { authorization: `Bearer ${vendorKey}` } })).json()) as { data: { orderId: string }[] };
    const orders = list.data.map((c) => c.orderId).sort();
    expect(orders).toEqual(["fast-chunked", "fast-order-1", "fast-order-2", "plain-chunked", "plain-order-1", "plain-order-2"]);
  });
});
