import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  buildLocation,
  checkDestination,
  compileDestination,
  isHostAllowed,
  normalizeAllowedDomain,
  normalizeHostname,
  type CompiledDestination,
} from "../../src/domain/urlSafety";

const ALLOWED = [".example.com", "shop.other.org", "localhost", "xn--bcher-kva.example"];

const compiled = (href: string): CompiledDestination => {
  const r = checkDestination(href, ALLOWED);
  if (!r.ok) throw new Error(r.message);
  return compileDestination(r.url);
};

const opts = {
  clickParam: "afx_click",
  clickId: "c_123",
  allowDeepLinks: true,
  allowedDomains: ALLOWED,
};

describe("normalizeHostname", () => {
  it.each<[string, string]>([
    ["Shop.Example.COM", "shop.example.com"],
    ["shop.example.com.", "shop.example.com"],
    ["shop.example.com:8443", "shop.example.com"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["BÜCHER.example", "xn--bcher-kva.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["localhost", "localhost"],
    ["localhost:8787", "localhost"],
    ["127.0.0.1", "127.0.0.1"],
    ["[::1]", "[::1]"],
    ["[::1]:8080", "[::1]"],
    ["my_host.example.com", "my_host.example.com"],
  ])("%s → %s", (input, out) => {
    expect(normalizeHostname(input)).toBe(out);
  });

  it.each([
    "",
    ".",
    "a..b.com",
    ".example.com",
    "example.com/path",
    "example.com?x",
    "example.com#x",
    "user@example.com",
    "a:b:80",
    "example.com:",
    "example.com:port",
    "exa mple.com",
    "exa\tmple.com",
    "exa\nmple.com",
    "example.com\\evil.com",
    "ex%41mple.com",
    "*.example.com",
    "https://example.com",
    "[::1",
    "[not-ipv6]",
    "a".repeat(254),
  ])("rejects %j", (input) => {
    expect(normalizeHostname(input)).toBeNull();
  });
});

describe("normalizeAllowedDomain", () => {
  it.each<[string, string]>([
    ["shop.example.com", "shop.example.com"],
    [".Example.com", ".example.com"],
    [".bücher.example", ".xn--bcher-kva.example"],
    ["localhost", "localhost"],
    ["127.0.0.1", "127.0.0.1"],
  ])("%s → %s", (input, out) => {
    expect(normalizeAllowedDomain(input)).toBe(out);
  });

  it.each(["https://x.com", "x.com/path", "*.x.com", ".", "", "..x.com", ".0.0.1", ".[::1]"])(
    "rejects %j",
    (input) => {
      expect(normalizeAllowedDomain(input)).toBeNull();
    },
  );
});

describe("isHostAllowed", () => {
  const allowed = [".example.com", "shop.other.org", "localhost", "xn--bcher-kva.example"];
  it.each<[string, boolean]>([
    ["example.com", true],
    ["shop.example.com", true],
    ["a.b.example.com", true],
    ["badexample.com", false],
    ["example.com.evil.org", false],
    ["shop.other.org", true],
    ["other.org", false],
    ["x.shop.other.org", false],
    ["localhost", true],
    ["evil.localhost", false],
    ["xn--bcher-kva.example", true],
    ["", false],
    [".example.com", false],
  ])("%j → %s", (host, ok) => {
    expect(isHostAllowed(host, allowed)).toBe(ok);
  });

  it("compares normalised forms: case, IDNA and ports do not matter", () => {
    const entries = ["Shop.Example.com", "bücher.example"].map(normalizeAllowedDomain);
    const norm = entries.filter((e): e is string => e !== null);
    for (const raw of ["SHOP.example.com:8080", "xn--bcher-kva.example", "BÜCHER.example:443"]) {
      expect(isHostAllowed(normalizeHostname(raw) ?? "", norm)).toBe(true);
    }
  });
});

describe("checkDestination", () => {
  it.each<[string, string]>([
    ["https://shop.example.com/p?id=1#top", "https://shop.example.com/p?id=1#top"],
    ["HTTPS://Shop.Example.com", "https://shop.example.com/"],
    ["http://localhost:8787/x", "http://localhost:8787/x"],
    ["https://shop.example.com./p", "https://shop.example.com/p"],
    ["https://bücher.example/ü", "https://xn--bcher-kva.example/%C3%BC"],
    ["https://shop.example.com/a b?q=a b", "https://shop.example.com/a%20b?q=a%20b"],
    ["https://example.com:8443/", "https://example.com:8443/"],
  ])("accepts %s", (raw, url) => {
    expect(checkDestination(raw, ALLOWED)).toEqual({ ok: true, url });
  });

  it.each<[string, RegExp]>([
    ["", /required/],
    ["/relative", /absolute/],
    ["//shop.example.com/x", /absolute/],
    ["shop.example.com", /absolute/],
    ["javascript:alert(1)", /absolute/],
    ["ftp://shop.example.com/", /absolute/],
    ["data:text/html,x", /absolute/],
    ["https://a@shop.example.com/", /user name/],
    ["https://shop.example.com:pw@evil.com/", /user name/],
    ["https://shop.example.com@evil.com/", /user name/],
    ["https://evil.com/", /not in allowedDomains/],
    ["https://badexample.com/", /not in allowedDomains/],
    ["https://evil.com\\@shop.example.com/", /user name|not in allowed/],
    ["https://evil.com\\.example.com/", /not in allowedDomains/],
    ["https://*.example.com/", /invalid/],
    [`https://shop.example.com/${"a".repeat(2048)}`, /longer than 2048/],
    [`https://shop.example.com/${"é".repeat(400)}`, /longer than 2048/],
  ])("rejects %j", (raw, message) => {
    const r = checkDestination(raw, ALLOWED);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe("buildLocation", () => {
  const dest = compiled("https://shop.example.com/p/1?utm_source=aff&ref=x%20y#reviews");

  it("precomputes the fast path", () => {
    expect(dest.base).toBe("https://shop.example.com/p/1");
    expect(dest.fragment).toBe("#reviews");
    expect(dest.params.map((p) => p.name)).toEqual(["utm_source", "ref"]);
    expect(dest.fastPrefix).toBe("https://shop.example.com/p/1?utm_source=aff&ref=x%20y&");
    expect(compiled("https://shop.example.com").fastPrefix).toBe("https://shop.example.com/?");
  });

  it("appends only the click id when there is no query", () => {
    expect(buildLocation(dest, "", opts)).toBe(
      "https://shop.example.com/p/1?utm_source=aff&ref=x%20y&afx_click=c_123#reviews",
    );
    expect(buildLocation(compiled("https://shop.example.com"), "", opts)).toBe(
      "https://shop.example.com/?afx_click=c_123",
    );
    expect(buildLocation(compiled("https://shop.example.com/?#f"), "", opts)).toBe(
      "https://shop.example.com/?afx_click=c_123#f",
    );
  });

  it("gives the same answer through the slow path", () => {
    expect(buildLocation(dest, "&", opts)).toBe(buildLocation(dest, "", opts));
  });

  it("passes incoming params through, overriding in place and appending new ones", () => {
    expect(buildLocation(dest, "ref=new&sub1=a&sub5=e&utm_source=b&utm_source=c", opts)).toBe(
      "https://shop.example.com/p/1?utm_source=b&utm_source=c&ref=new&sub1=a&sub5=e" +
        "&afx_click=c_123#reviews",
    );
  });

  it("keeps the order of repeated new params and re-encodes like URLSearchParams", () => {
    const root = compiled("https://shop.example.com/");
    expect(buildLocation(root, "a=1&b=2&a=3&q=x+y%21&e=%zz", opts)).toBe(
      "https://shop.example.com/?a=1&b=2&a=3&q=x+y%21&e=%25zz&afx_click=c_123",
    );
  });

  it("replaces an incoming or stored click param", () => {
    expect(buildLocation(dest, "afx_click=forged&x=1&afx_click=again", opts)).toBe(
      "https://shop.example.com/p/1?utm_source=aff&ref=x%20y&x=1&afx_click=c_123#reviews",
    );
    const withClick = compiled("https://shop.example.com/?afx_click=old&a=1");
    expect(buildLocation(withClick, "", opts)).toBe(
      "https://shop.example.com/?a=1&afx_click=c_123",
    );
  });

  it("uses a custom click param and leaves afx_click alone then", () => {
    const custom = { ...opts, clickParam: "ref", clickId: "id 1/2" };
    expect(buildLocation(dest, "afx_click=1&ref=forged", custom)).toBe(
      "https://shop.example.com/p/1?utm_source=aff&afx_click=1&ref=id+1%2F2#reviews",
    );
  });

  it("follows an allowed deep link, whose own query and fragment become the base", () => {
    const to = encodeURIComponent("https://blog.example.com/post?x=1&y=2#c");
    expect(buildLocation(dest, `to=${to}&y=3&sub1=s`, opts)).toBe(
      "https://blog.example.com/post?x=1&y=3&sub1=s&afx_click=c_123#c",
    );
    expect(buildLocation(dest, "to=http://LOCALHOST:3000/a", opts)).toBe(
      "http://localhost:3000/a?afx_click=c_123",
    );
  });

  it.each([
    ["not allowed", "to=https://evil.com/", opts],
    ["deep links off", "to=https://blog.example.com/", { ...opts, allowDeepLinks: false }],
    ["relative", "to=/other", opts],
    ["protocol-relative", "to=//evil.com/", opts],
    ["javascript", "to=javascript:alert(1)//shop.example.com", opts],
    ["userinfo", "to=https://evil.com@shop.example.com/", opts],
    ["backslash", "to=https:\\\\evil.com\\shop.example.com", opts],
    ["suffix trick", "to=https://shop.example.com.evil.com/", opts],
    ["empty", "to=", opts],
  ])("ignores a deep link that is %s, and never passes `to` on", (_, query, o) => {
    expect(buildLocation(dest, `${query}&sub2=z`, o)).toBe(
      "https://shop.example.com/p/1?utm_source=aff&ref=x%20y&sub2=z&afx_click=c_123#reviews",
    );
  });

  it("takes the first of repeated `to` params", () => {
    const q = "to=https://evil.com/&to=https://blog.example.com/";
    expect(buildLocation(dest, q, opts)).toBe(buildLocation(dest, "", opts));
  });

  it("encodes CR, LF, spaces and unicode", () => {
    const loc = buildLocation(dest, "x=a\r\nSet-Cookie: y&%0d%0a=1&u=é😀&sp=a b", opts);
    expect(loc).toBe(
      "https://shop.example.com/p/1?utm_source=aff&ref=x%20y&x=a%0D%0ASet-Cookie%3A+y&%0D%0A=1" +
        "&u=%C3%A9%F0%9F%98%80&sp=a+b&afx_click=c_123#reviews",
    );
  });
});

describe("buildLocation properties", () => {
  const hosts = [
    "example.com",
    "shop.example.com",
    "a.b.example.com",
    "shop.other.org",
    "localhost",
    "xn--bcher-kva.example",
  ];
  const pathChars = ["a", "Z", "0", "-", "/", "%20", "é", " ", "?", "#", "&", "=", ".."];
  const queryChars = ["a=1", "b=", "&", "afx_click=old", "to=x", "ref=é", "c=%zz", "+"];
  const token = (alphabet: string[], max: number) =>
    fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((a) => a.join(""));

  const destination = fc
    .record({
      scheme: fc.constantFrom("http", "https"),
      host: fc.constantFrom(...hosts),
      port: fc.constantFrom("", ":8080"),
      path: token(pathChars, 6),
      query: fc.option(token(queryChars, 5)),
      hash: fc.option(token(["x", "#", " ", "é", "?"], 4)),
    })
    .map(({ scheme, host, port, path, query, hash }) => {
      const q = query === null ? "" : `?${query}`;
      const h = hash === null ? "" : `#${hash}`;
      return `${scheme}://${host}${port}/${path}${q}${h}`;
    });

  const nasty = [
    ...["to=", "to=https://evil.com/", "to=https://blog.example.com/p?q=1#f", "to=//evil.com"],
    ...["to=https://evil.com@shop.example.com", "to=https://shop.example.com@evil.com"],
    ...["to=javascript:alert(1)", "to=https:\\\\evil.com", "to=http%3A%2F%2Fevil.com"],
    ...["to=http://localhost", "to=https:\\\\a.example.com", "%0d%0a", "%0D%0A", "\r\n", "\r"],
    ...["\n", "\t", "\u0000", "\u007f", " ", "@", "//", "\\", "#", "?", "&", "=", "%", "%zz"],
    ...["%%", "%E9", "é", "😀", "\uD800", "\u2028", "afx_click=", "afx_click=x", "ref=", "sub1="],
    ...["a=", "evil.com", "https:", ".", "+", "%2B", "%26", "%3D", "%23"],
  ];
  const rawQuery = fc.array(fc.constantFrom(...nasty), { maxLength: 12 }).map((a) => a.join(""));
  const clickParam = fc.constantFrom("afx_click", "ref", "a", "x y", "ä");
  const clickId = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/),
    fc.string({ unit: "grapheme", maxLength: 8 }),
  );

  it("never leaves the allowed hosts, never emits controls or spaces, carries one click id", () => {
    const cases = fc.tuple(destination, rawQuery, clickParam, clickId, fc.boolean());
    fc.assert(
      fc.property(cases, ([raw, q, param, id, deep]) => {
        const checked = checkDestination(raw, ALLOWED);
        expect(checked.ok).toBe(true);
        if (!checked.ok) return;
        const dest = compileDestination(checked.url);
        const loc = buildLocation(dest, q, {
          clickParam: param,
          clickId: id,
          allowDeepLinks: deep,
          allowedDomains: ALLOWED,
        });
        expect(loc).toMatch(/^[\x21-\x7e]+$/);
        const url = new URL(loc);
        const destHost = new URL(dest.href).hostname;
        expect(url.hostname === destHost || isHostAllowed(url.hostname, ALLOWED)).toBe(true);
        if (!deep) {
          expect(url.host).toBe(new URL(dest.href).host);
          expect(loc.endsWith(dest.fragment)).toBe(true);
        }
        expect(url.searchParams.getAll(param)).toEqual([id]);
        if (!deep && !dest.names.has("to")) expect(url.searchParams.has("to")).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("passes every incoming param through with its values", () => {
    const name = fc.constantFrom("a", "b", "sub1", "utm_source", "é", "x y", "a+b");
    const value = fc.string({ unit: "grapheme", maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), (pairs) => {
        const dest = compiled("https://shop.example.com/?utm_source=aff&keep=1#f");
        const query = new URLSearchParams(pairs).toString();
        const url = new URL(buildLocation(dest, query, opts));
        const incoming = new URLSearchParams(query);
        for (const [n] of pairs) expect(url.searchParams.getAll(n)).toEqual(incoming.getAll(n));
        expect(url.searchParams.get("keep")).toBe("1");
        if (!incoming.has("utm_source")) expect(url.searchParams.get("utm_source")).toBe("aff");
        expect(url.hash).toBe("#f");
      }),
      { numRuns: 1000 },
    );
  });
});
