import { serve } from "@hono/node-server";
import { createServer, request as httpRequest, type RequestListener, type Server, type ServerOptions } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { hashApiKey } from "../../src/domain/ids";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/deps";
import { DEFAULT_RATE_RULES, memoryRateLimits } from "../../src/domain/rateLimit";
import { LinkCache } from "../../src/http/tracking/linkCache";
import { withRedirectFastPath } from "../../src/http/tracking/nodeFastPath";
import { nodeFacts } from "../../src/http/tracking/requestFacts";
import type { ClickEvent } from "../../src/services/tracking/clickEvent";
import { ADMIN_KEY, BOT_UA, BROWSER_UA, SECRET, type TestApp, createFixture } from "../helpers/app";

/**
 * The Node server's redirect fast path must answer exactly like the full app. Two real Node
 * servers share one set of dependencies: `plain` is the adapter over `app.fetch` alone, `fast`
 * has the fast path in front; every request goes to both and the answers are compared
 * (click ids and Date aside), as are the clicks they record.
 */
interface Answer { status: number; headers: Record<string, string | string[] | undefined>; raw: string[]; body: string }

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, setHost = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, setHost }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Replaces each click id by its order of appearance, and drops the Date header; keeps header order. */
function normalised(a: Answer): Answer {
  const ids: string[] = [];
  const swap = (s: string) =>
    s.replace(/(_csrf[^ ]* value=")[^"]*"/g, "$1<token>\"").replace(/("requestId":")[^"]*"/g, "$1<id>\"").replace(/(afx_click|ref)=([A-Za-z0-9_-]{20,48})/g, (_m, name: string, id: string) => {
      if (!ids.includes(id)) ids.push(id);
      return `${name}=<click ${ids.indexOf(id)}>`;
    });
  const raw: string[] = [];
  for (let i = 0; i < a.raw.length; i += 2) {
    if (a.raw[i]!.toLowerCase() !== "date") raw.push(`${a.raw[i]!}: ${swap(a.raw[i + 1]!)}`);
  }
  return { status: a.status, headers: {}, raw, body: swap(a.body) };
}

describe("Node redirect fast path", () => {
  const events: ClickEvent[] = [];
  let fallbacks = 0;
  let plainPort = 0;
  let fastPort = 0;
  const servers: Server[] = [];
  let closeDb = () => {};

  beforeAll(async () => {
    const { database, secret } = await openAndMigrate(":memory:", undefined, SECRET);
    closeDb = () => database.close();
    const deps: AppDeps = {
      db: database.db, secret, clickSink: { push: (e) => void events.push(e) },
      // a long TTL so that the cache stays warm for the whole test, however slow the machine
      linkCache: new LinkCache(database.db, { ttlMs: 600_000 }), now: Date.now, publicUrl: "http://go.test",
      adminKeyHash: hashApiKey(ADMIN_KEY), readClickFacts: nodeFacts({ trustForwardedFor: false }),
      rateLimits: memoryRateLimits(DEFAULT_RATE_RULES, Date.now),
    };
    const app = createApp(deps);
    const request = (path: string, init: RequestInit & { key?: string; json?: unknown } = {}) =>
      app.request(`http://go.test${path}`, {
        ...init,
        headers: { authorization: `Bearer ${init.key}`, "content-type": "application/json" },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
    await createFixture({ request } as unknown as TestApp, { link: { destination: "https://shop.example.com/p?utm_source=vendor&keep=1#top" } });

    const start = (createServerFn?: typeof createServer) =>
      new Promise<number>((resolve) => {
        servers.push(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", createServer: createServerFn }, (info) => resolve(info.port)) as Server);
      });
    const countingFastPath = ((options: ServerOptions, listener: RequestListener) =>
      createServer(options, withRedirectFastPath((req, res) => {
        fallbacks++;
        listener(req, res);
      }, deps, { trustForwardedFor: false, defaultHostname: "127.0.0.1" }))) as typeof createServer;
    plainPort = await start();
    fastPort = await start(countingFastPath);
    // fills the link cache; only cached links take the fast path
    expect((await send(plainPort, "GET", "/anna")).status).toBe(302);
    events.length = 0;
  });

  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    closeDb();
  });

  /** Sends the request to both servers; returns whether the fast path answered it. */
  async function compare(method: string, path: string, headers: Record<string, string> = {}, setHost = true) {
    const h = { "user-agent": BROWSER_UA, ...headers };
    events.length = 0;
    const viaApp = await send(plainPort, method, path, h, setHost);
    const appEvents = events.splice(0);
    const before = fallbacks;
    const viaFastPath = await send(fastPort, method, path, h, setHost);
    const fastEvents = events.splice(0);
    expect(normalised(viaFastPath), `${method} ${path}`).toEqual(normalised(viaApp));
    const strip = (e: ClickEvent) => ({ ...e, id: "", ts: 0 });
    expect(fastEvents.map(strip), `clicks of ${method} ${path}`).toEqual(appEvents.map(strip));
    return { fast: fallbacks === before, answer: viaFastPath, clicks: fastEvents.length };
  }

  it("answers cached redirects itself, exactly like the app, recording the same click", async () => {
    const r = await compare("GET", "/anna");
    expect(r).toMatchObject({ fast: true, clicks: 1 });
    expect(r.answer.status).toBe(302);
    expect(r.answer.headers.location).toMatch(/^https:\/\/shop\.example\.com\/p\?utm_source=vendor&keep=1&afx_click=[A-Za-z0-9_-]+#top$/);
    expect(r.answer.headers["content-length"]).toBe("0");
  });

  it("leaves HEAD to the app, which records no click", async () => {
    expect(await compare("HEAD", "/anna")).toMatchObject({ fast: false, clicks: 0 });
    expect(await compare("HEAD", "/anna?sub1=x")).toMatchObject({ fast: false, clicks: 0 });
  });

  it("passes queries through and records sub ids, deep links and bots the same way", async () => {
    for (const path of [
      "/anna?utm_source=partner&x=a%20b&sub1=nl", "/anna?sub1=s1&sub2=s2&sub3=s%203&sub4=s4&sub5=s5",
      "/anna?afx_click=forged&b=2", "/anna?to=https://shop.example.com/deal&sub2=z", "/anna?to=https://evil.test/",
      "/anna?", "/anna?&&=x&y", "/anna?x=%zz&x=%E2%82%AC+1",
    ]) {
      expect(await compare("GET", path), path).toMatchObject({ fast: true, clicks: 1 });
    }
    expect(await compare("GET", "/anna", { "user-agent": BOT_UA })).toMatchObject({ fast: true, clicks: 1 });
    expect(await compare("GET", "/anna", { "user-agent": "" })).toMatchObject({ fast: true, clicks: 1 });
    const proxied = await compare("GET", "/anna", { "x-forwarded-proto": "https", referer: "https://blog.example.net/x", "cf-ipcountry": "DE" });
    expect(proxied).toMatchObject({ fast: true, clicks: 1 });
    expect(proxied.answer.headers["set-cookie"]?.[0]).toMatch(/; Secure$/);
  });

  it("leaves queries the adapter would re-encode to the app", async () => {
    for (const path of ['/anna?q="x"', "/anna?q=<b>", "/anna?q=it's", "/anna?q=a#frag", "/anna#frag"]) {
      expect(await compare("GET", path), path).toMatchObject({ fast: false });
    }
  });

  it("leaves reserved paths, unknown and malformed slugs and other methods to the app", async () => {
    for (const path of [
      "/api", "/app", "/portal", "/v1", "/static", "/healthz", "/robots.txt", "/favicon.ico", "/px.gif", "/afflux.js", "/API", "/Healthz",
      "/nosuchlink", "/ANNA", "/an", "/anna/", "/anna/x", "/", "/" + "a".repeat(65),
    ]) {
      const r = await compare("GET", path);
      expect(r, path).toMatchObject({ fast: false, clicks: 0 });
    }
    expect((await compare("GET", "/nosuchlink")).answer.status).toBe(404);
    // Hono decodes the path before matching: this is /anna, redirected (and recorded) by the app
    expect(await compare("GET", "/%61nna")).toMatchObject({ fast: false, clicks: 1 });
    expect(await compare("HEAD", "/nosuchlink")).toMatchObject({ fast: false, clicks: 0 });
    expect(await compare("POST", "/anna")).toMatchObject({ fast: false, clicks: 0 });
  });

  it("treats the Host header like the adapter: an invalid one is the adapter's 400", async () => {
    // Node itself refuses an HTTP/1.1 request without Host
    expect((await compare("GET", "/anna", {}, false)).answer.status).toBe(400);
    for (const host of ["go.test", "GO.TEST", "go.test:8080", "[::1]:80"]) {
      expect(await compare("GET", "/anna", { host }), host).toMatchObject({ fast: true, clicks: 1 });
    }
    for (const host of ["bad host", "1.2.3", "go.test:99999", "go.test/x", "a@go.test", "GO.test:8080"]) {
      const r = await compare("GET", "/anna", { host });
      expect(r, host).toMatchObject({ fast: false, clicks: 0 });
      expect(r.answer.status, host).toBe(400);
    }
  });
});
