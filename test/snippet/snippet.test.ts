import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { SNIPPET_JS } from "../../src/http/tracking/snippetSource.js";

/** Tiny public-suffix list: enough for the browser-like cookie jar below. */
const PUBLIC_SUFFIXES = new Set(["com", "net", "org", "uk", "co.uk", "io", "github.io", "localhost"]);

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  maxAge: number | null;
  expires: string | null;
  sameSite: string | null;
  secure: boolean;
}

const isIp = (h: string): boolean => h.includes(":") || /^[0-9.]+$/.test(h);

/**
 * A cookie jar behaving like a browser's `document.cookie` for one page: rejects a `domain=`
 * that is a public suffix (unless it equals the host, which makes a host-only cookie), that the
 * host is not within, or any domain on an IP host; rejects Secure cookies from http pages;
 * Max-Age <= 0 deletes.
 */
class CookieJar {
  readonly writes: { raw: string; accepted: boolean }[] = [];
  private readonly store = new Map<string, StoredCookie>();

  constructor(
    private readonly host: string,
    private readonly https: boolean,
    private readonly throws = false,
    private readonly refuseDomains = false,
  ) {}

  get cookie(): string {
    if (this.throws) throw new Error("SecurityError: cookies are disabled");
    return [...this.store.values()]
      .filter((c) => this.visible(c))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  set cookie(raw: string) {
    if (this.throws) throw new Error("SecurityError: cookies are disabled");
    const accepted = this.accept(String(raw));
    this.writes.push({ raw: String(raw), accepted });
  }

  /** Cookies stored (whatever their visibility), for assertions. */
  all(): StoredCookie[] {
    return [...this.store.values()];
  }

  private visible(c: StoredCookie): boolean {
    if (c.secure && !this.https) return false;
    return c.hostOnly ? c.domain === this.host : this.host === c.domain || this.host.endsWith(`.${c.domain}`);
  }

  private accept(raw: string): boolean {
    const [pair = "", ...attrs] = raw.split(";").map((p) => p.trim());
    const eq = pair.indexOf("=");
    if (eq <= 0) return false;
    const c: StoredCookie = {
      name: pair.slice(0, eq),
      value: pair.slice(eq + 1),
      domain: this.host,
      hostOnly: true,
      path: "/",
      maxAge: null,
      expires: null,
      sameSite: null,
      secure: false,
    };
    let domainAttr: string | null = null;
    for (const a of attrs) {
      const i = a.indexOf("=");
      const k = (i < 0 ? a : a.slice(0, i)).toLowerCase();
      const v = i < 0 ? "" : a.slice(i + 1);
      if (k === "domain") domainAttr = v.toLowerCase().replace(/^\./, "");
      else if (k === "path") c.path = v;
      else if (k === "max-age") c.maxAge = Number(v);
      else if (k === "expires") c.expires = v;
      else if (k === "samesite") c.sameSite = v;
      else if (k === "secure") c.secure = true;
    }
    if (c.secure && !this.https) return false;
    if (domainAttr !== null && domainAttr !== "") {
      if (this.refuseDomains) return false;
      if (domainAttr === this.host) {
        // domain equal to the host: a host-only cookie for IPs and public suffixes
        c.hostOnly = isIp(this.host) || PUBLIC_SUFFIXES.has(domainAttr);
        c.domain = domainAttr;
      } else {
        if (isIp(this.host)) return false;
        if (!this.host.endsWith(`.${domainAttr}`)) return false;
        if (PUBLIC_SUFFIXES.has(domainAttr)) return false;
        c.hostOnly = false;
        c.domain = domainAttr;
      }
    }
    const key = `${c.name}|${c.domain}|${c.hostOnly}|${c.path}`;
    const expired =
      (c.maxAge !== null && c.maxAge <= 0) ||
      (c.maxAge === null && c.expires !== null && Date.parse(c.expires) <= Date.now());
    if (expired) this.store.delete(key);
    else this.store.set(key, c);
    return true;
  }
}

interface PageOptions {
  url: string;
  /** data-* attributes of the snippet's script tag */
  attrs?: Record<string, string>;
  src?: string;
  /** false: document.currentScript is null (forces the fallback lookup) */
  currentScript?: boolean;
  /** srcs of other <script> elements, placed before the snippet */
  otherScripts?: string[];
  cookieThrows?: boolean;
  /** the jar refuses every cookie with a domain attribute (e.g. a strict privacy setting) */
  refuseDomains?: boolean;
  /** raw Set-Cookie-like strings already in the jar before load */
  preset?: string[];
  /** page code run before the snippet (e.g. the queue stub) */
  before?: string;
}

interface FakeScript {
  src: string;
  getAttribute(name: string): string | null;
}

function page(opts: PageOptions) {
  const u = new URL(opts.url);
  const jar = new CookieJar(u.hostname, u.protocol === "https:", opts.cookieThrows ?? false, opts.refuseDomains ?? false);
  for (const raw of opts.preset ?? []) jar.cookie = raw;
  jar.writes.length = 0;
  const pixels: string[] = [];
  class FakeImage {
    width: number;
    height: number;
    private s = "";
    constructor(w = 0, h = 0) {
      this.width = w;
      this.height = h;
    }
    get src(): string {
      return this.s;
    }
    set src(v: string) {
      this.s = v;
      pixels.push(v);
    }
  }
  const attrs: Record<string, string> = { "data-pk": "afx_pub_test123", ...opts.attrs };
  const mkScript = (src: string, a: Record<string, string> = {}): FakeScript => ({
    src,
    getAttribute: (n) => (Object.prototype.hasOwnProperty.call(a, n) ? (a[n] as string) : null),
  });
  const me = mkScript(opts.src ?? "https://track.afflux.test/afflux.js", attrs);
  const scripts = [...(opts.otherScripts ?? []).map((s) => mkScript(s)), me];
  const document = {
    currentScript: opts.currentScript === false ? null : me,
    getElementsByTagName: (t: string) => (t.toLowerCase() === "script" ? scripts : []),
    get cookie(): string {
      return jar.cookie;
    },
    set cookie(v: string) {
      jar.cookie = v;
    },
  };
  const location = {
    href: u.href,
    protocol: u.protocol,
    host: u.host,
    hostname: u.hostname,
    port: u.port,
    pathname: u.pathname,
    search: u.search,
    hash: u.hash,
    origin: u.origin,
  };
  const sandbox: Record<string, unknown> = { document, location, Image: FakeImage };
  sandbox.window = sandbox;
  const ctx = vm.createContext(sandbox);
  const run = (code: string): unknown => vm.runInContext(code, ctx);
  if (opts.before) run(opts.before);
  run(SNIPPET_JS);
  const domainCookies = () => jar.all().filter((c) => c.name === "afx_click");
  return { jar, pixels, run, sandbox, domainCookies };
}

/** The domain attribute of every cookie write (null when absent), in order. */
const domainsTried = (writes: { raw: string }[]): (string | null)[] =>
  writes.map((w) => /;\s*domain=([^;]*)/i.exec(w.raw)?.[1] ?? null);

describe("snippet source", () => {
  it("is under 2 KB gzipped", () => {
    const size = gzipSync(Buffer.from(SNIPPET_JS)).length;
    expect(size).toBeLessThan(2048);
  });

  it("is plain ES5 without leftover comments", () => {
    expect(() => new vm.Script(SNIPPET_JS)).not.toThrow();
    expect(SNIPPET_JS).not.toMatch(/=>|`|\.\.\.|\?\.|\?\?|\b(let|const|class)\s/);
    expect(SNIPPET_JS).not.toMatch(/^\s*\/\//m);
    expect(SNIPPET_JS).not.toMatch(/^[ \t]/m);
  });
});

describe("cookie on the highest accepted domain", () => {
  it("www.shop.co.uk → domain=shop.co.uk (co.uk refused first)", () => {
    const p = page({ url: "https://www.shop.co.uk/landing?afx_click=abc123" });
    expect(domainsTried(p.jar.writes)).toEqual(["co.uk", "shop.co.uk"]);
    expect(p.jar.writes.map((w) => w.accepted)).toEqual([false, true]);
    const [c, ...rest] = p.domainCookies();
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ value: "abc123", domain: "shop.co.uk", hostOnly: false, path: "/" });
  });

  it("shop.example.com → domain=example.com (first try sticks)", () => {
    const p = page({ url: "https://shop.example.com/?afx_click=abc123" });
    expect(domainsTried(p.jar.writes)).toEqual(["example.com"]);
    expect(p.domainCookies()).toEqual([expect.objectContaining({ domain: "example.com", hostOnly: false })]);
  });

  it("a.b.shop.co.uk tries from the shortest candidate upwards", () => {
    const p = page({ url: "https://a.b.shop.co.uk/?afx_click=abc123" });
    expect(domainsTried(p.jar.writes)).toEqual(["co.uk", "shop.co.uk"]);
    expect(p.domainCookies()[0]?.domain).toBe("shop.co.uk");
  });

  it("a host that is itself just above a suffix (foo.github.io) gets its own name", () => {
    const p = page({ url: "https://foo.github.io/x?afx_click=abc123" });
    expect(domainsTried(p.jar.writes)).toEqual(["github.io", "foo.github.io"]);
    expect(p.domainCookies()[0]).toMatchObject({ domain: "foo.github.io", hostOnly: false });
  });

  it("no domain attribute on localhost", () => {
    const p = page({ url: "http://localhost:3000/?afx_click=abc123" });
    expect(p.jar.writes).toHaveLength(1);
    expect(domainsTried(p.jar.writes)).toEqual([null]);
    expect(p.domainCookies()[0]).toMatchObject({ value: "abc123", domain: "localhost", hostOnly: true });
  });

  it("no domain attribute on IPv4 and IPv6 hosts", () => {
    for (const url of ["http://127.0.0.1:8080/?afx_click=abc123", "http://[::1]:8080/?afx_click=abc123"]) {
      const p = page({ url });
      expect(p.jar.writes).toHaveLength(1);
      expect(p.jar.writes[0]?.raw).not.toMatch(/domain=/i);
      expect(p.domainCookies()[0]).toMatchObject({ value: "abc123", hostOnly: true });
    }
  });

  it("falls back to a host-only cookie when every domain attribute is refused", () => {
    const p = page({ url: "https://www.example.com/?afx_click=abc123", refuseDomains: true });
    expect(domainsTried(p.jar.writes)).toEqual(["example.com", "www.example.com", null]);
    expect(p.domainCookies()).toEqual([expect.objectContaining({ value: "abc123", hostOnly: true })]);
  });
});

describe("cookie attributes", () => {
  it("default 30 days: Max-Age and expires agree, path=/, SameSite=Lax, Secure on https", () => {
    const before = Date.now();
    const p = page({ url: "https://shop.example.com/?afx_click=abc123" });
    const c = p.domainCookies()[0];
    expect(c?.maxAge).toBe(30 * 86400);
    const exp = Date.parse(c?.expires ?? "");
    expect(Math.abs(exp - (before + 30 * 86400_000))).toBeLessThan(5000);
    expect(c?.path).toBe("/");
    expect(c?.sameSite).toBe("Lax");
    expect(c?.secure).toBe(true);
  });

  it("data-cookie-days sets the lifetime", () => {
    const before = Date.now();
    const p = page({ url: "https://shop.example.com/?afx_click=abc123", attrs: { "data-cookie-days": "7" } });
    const c = p.domainCookies()[0];
    expect(c?.maxAge).toBe(7 * 86400);
    expect(Math.abs(Date.parse(c?.expires ?? "") - (before + 7 * 86400_000))).toBeLessThan(5000);
  });

  it("invalid data-cookie-days falls back to 30", () => {
    for (const days of ["abc", "0", "-3", ""]) {
      const p = page({ url: "https://shop.example.com/?afx_click=abc123", attrs: { "data-cookie-days": days } });
      expect(p.domainCookies()[0]?.maxAge).toBe(30 * 86400);
    }
  });

  it("no Secure flag on http pages", () => {
    const p = page({ url: "http://shop.example.com/?afx_click=abc123" });
    expect(p.jar.writes[0]?.raw).not.toMatch(/secure/i);
    expect(p.domainCookies()[0]).toMatchObject({ value: "abc123", secure: false, domain: "example.com" });
  });
});

describe("click id from the URL", () => {
  it("custom data-param is read; the cookie is still afx_click", () => {
    const p = page({
      url: "https://shop.example.com/?utm_source=x&ref=REF_42-z&afx_click=ignored",
      attrs: { "data-param": "ref" },
    });
    expect(p.domainCookies().map((c) => c.value)).toEqual(["REF_42-z"]);
    expect(p.run("afflux.clickId()")).toBe("REF_42-z");
  });

  it("ignores invalid click ids (and keeps an existing valid cookie)", () => {
    const bad = ["a".repeat(65), "abc%3Cscript%3E", "", "a.b", "a%20b", "%E0%A4%A"];
    for (const v of bad) {
      const p = page({
        url: `https://shop.example.com/?afx_click=${v}`,
        preset: ["afx_click=oldGood1; domain=example.com; path=/"],
      });
      expect(p.jar.writes).toEqual([]);
      expect(p.run("afflux.clickId()")).toBe("oldGood1");
    }
  });

  it("accepts the longest valid id (64 chars) and decodes the parameter", () => {
    const id = "A".repeat(60) + "_-9z";
    const p = page({ url: `https://shop.example.com/p?x=1&afx%5Fclick=${id}#top` });
    expect(p.domainCookies()[0]?.value).toBe(id);
  });

  it("clickId() reads the cookie on later pages and is null without one", () => {
    const later = page({
      url: "https://www.example.com/checkout",
      preset: ["afx_click=fromCookie; domain=example.com; path=/"],
    });
    expect(later.run("afflux.clickId()")).toBe("fromCookie");
    const none = page({ url: "https://www.example.com/checkout" });
    expect(none.run("afflux.clickId()")).toBeNull();
    expect(none.jar.writes).toEqual([]);
  });
});

describe("conversion pixel", () => {
  it("fires the pixel on the tracking origin with encoded values and the stored click id", () => {
    const p = page({
      url: "https://www.shop.co.uk/thanks",
      src: "https://track.afflux.test:8443/afflux.js?v=2",
      attrs: { "data-pk": "afx_pub_k&y" },
      preset: ["afx_click=clk_Stored-1; domain=shop.co.uk; path=/"],
    });
    p.run(`afflux.conversion({ orderId: "A&B 1/2", amount: 49.9, currency: "EUR" })`);
    expect(p.pixels).toEqual([
      "https://track.afflux.test:8443/px.gif?pk=afx_pub_k%26y&order=A%26B%201%2F2&event=sale&amount=49.9&currency=EUR&click=clk_Stored-1",
    ]);
  });

  it("uses the click id just copied from the URL, a custom event, and omits absent values", () => {
    const p = page({ url: "https://shop.example.com/?afx_click=fresh42" });
    p.run(`afflux.conversion({ orderId: "o-1", event: "signup" })`);
    expect(p.pixels).toEqual(["https://track.afflux.test/px.gif?pk=afx_pub_test123&order=o-1&event=signup&click=fresh42"]);
  });

  it("no click param when there is no click id; tolerates a missing argument", () => {
    const p = page({ url: "https://shop.example.com/" });
    p.run(`afflux.conversion({ orderId: "o-2", amount: "10.00", currency: "USD" })`);
    p.run(`afflux.conversion()`);
    expect(p.pixels).toEqual([
      "https://track.afflux.test/px.gif?pk=afx_pub_test123&order=o-2&event=sale&amount=10.00&currency=USD",
      "https://track.afflux.test/px.gif?pk=afx_pub_test123&event=sale",
    ]);
  });

  it("finds its script without document.currentScript (last matching src)", () => {
    const p = page({
      url: "https://shop.example.com/",
      currentScript: false,
      otherScripts: ["https://cdn.example.org/jquery.js", "https://old.tracker.test/afflux.js.map", ""],
      src: "https://t2.afflux.test/afflux.js",
      attrs: { "data-pk": "afx_pub_fallback" },
    });
    p.run(`afflux.conversion({ orderId: "o-3" })`);
    expect(p.pixels).toEqual(["https://t2.afflux.test/px.gif?pk=afx_pub_fallback&order=o-3&event=sale"]);
  });
});

describe("queue", () => {
  it("replays calls queued before load, and push() keeps working afterwards", () => {
    const p = page({
      url: "https://shop.example.com/thanks?afx_click=q1",
      before: `
        window.afflux = window.afflux || [];
        afflux.push(["conversion", { orderId: "Q1", amount: 10, currency: "USD" }]);
        afflux.push(["nope"], ["conversion", { orderId: "Q2", event: "lead" }]);
      `,
    });
    expect(p.pixels).toEqual([
      "https://track.afflux.test/px.gif?pk=afx_pub_test123&order=Q1&event=sale&amount=10&currency=USD&click=q1",
      "https://track.afflux.test/px.gif?pk=afx_pub_test123&order=Q2&event=lead&click=q1",
    ]);
    p.run(`window.afflux = window.afflux || []; afflux.push(["conversion", { orderId: "Q3" }]);`);
    expect(p.pixels[2]).toBe("https://track.afflux.test/px.gif?pk=afx_pub_test123&order=Q3&event=sale&click=q1");
    expect(p.run("typeof afflux.clickId")).toBe("function");
  });
});

describe("never throws into the page", () => {
  it("document.cookie throwing: loads, clickId() falls back to the URL, conversion still fires", () => {
    const p = page({ url: "https://shop.example.com/?afx_click=abc123", cookieThrows: true });
    expect(p.run("afflux.clickId()")).toBe("abc123");
    expect(() => p.run(`afflux.conversion({ orderId: "x" })`)).not.toThrow();
    expect(p.pixels).toEqual(["https://track.afflux.test/px.gif?pk=afx_pub_test123&order=x&event=sale&click=abc123"]);
    const none = page({ url: "https://shop.example.com/", cookieThrows: true });
    expect(none.run("afflux.clickId()")).toBeNull();
  });

  it("Image throwing, a queued call throwing, and a broken document are all swallowed", () => {
    const p = page({
      url: "https://shop.example.com/",
      before: `window.afflux = [["conversion", { get orderId() { throw new Error("boom"); } }], null, 42];`,
    });
    expect(p.pixels).toEqual([]);
    p.sandbox.Image = function () {
      throw new Error("no images");
    };
    expect(() => p.run(`afflux.conversion({ orderId: "y" })`)).not.toThrow();

    const ctx = vm.createContext({});
    (ctx as Record<string, unknown>).window = ctx;
    vm.runInContext("var document = { get currentScript() { throw new Error('x'); } };", ctx);
    expect(() => vm.runInContext(SNIPPET_JS, ctx)).not.toThrow();
    expect(vm.runInContext("typeof afflux.conversion", ctx)).toBe("function");
    expect(() => vm.runInContext("afflux.conversion({orderId: 'z'})", ctx)).not.toThrow();
  });
});
