// Everything that decides where a redirect may send a browser. The invariant: the Location
// host is the stored destination's host or an allowed host, and the Location is plain ASCII
// without controls or spaces, whatever the incoming query holds.

export const MAX_URL_LENGTH = 2048;

// After WHATWG parsing (lower-case, punycode, IPv4 canonicalised) a hostname we accept is
// LDH labels (plus "_", seen in real hostnames) or a bracketed IPv6 literal. The whitelist
// also catches what WHATWG lets through but no DNS name has: "*", "a..b", "!".
const HOST_CHARS = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$/;
// Checked before parsing: the URL parser silently drops tabs and newlines and would read
// "/", "@", "\" as URL structure rather than rejecting them.
const NOT_IN_HOST = /[\s/?#@:\\%[\]\x00-\x1f\x7f]/;
const IPV6_WITH_PORT = /^(\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function canonicalHost(hostname: string): string | null {
  const h = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  return h.length > 0 && h.length <= 253 && HOST_CHARS.test(h) ? h : null;
}

export function normalizeHostname(host: string): string | null {
  if (typeof host !== "string" || host.length === 0 || host.length > 1024) return null;
  let h = host;
  const v6 = IPV6_WITH_PORT.exec(h);
  if (v6) {
    h = v6[1] ?? "";
  } else {
    h = h.replace(/:\d{1,5}$/, "");
    if (NOT_IN_HOST.test(h)) return null;
  }
  try {
    return canonicalHost(new URL(`http://${h}`).hostname);
  } catch {
    return null;
  }
}

export function normalizeAllowedDomain(entry: string): string | null {
  if (typeof entry !== "string") return null;
  const suffix = entry.startsWith(".");
  const host = normalizeHostname(suffix ? entry.slice(1) : entry);
  if (host === null) return null;
  if (!suffix) return host;
  // A suffix of an IP address means nothing (".0.0.1" would even parse as 0.0.0.1).
  if (IPV4.test(host) || host.startsWith("[")) return null;
  return `.${host}`;
}

export function isHostAllowed(hostname: string, allowed: readonly string[]): boolean {
  if (hostname.length === 0 || hostname.startsWith(".")) return false;
  for (const entry of allowed) {
    if (entry === hostname) return true;
    if (
      entry.length > 1 &&
      entry.startsWith(".") &&
      (hostname.endsWith(entry) || hostname === entry.slice(1))
    ) {
      return true;
    }
  }
  return false;
}

export type DestinationCheck = { ok: true; url: string } | { ok: false; message: string };

export function checkDestination(raw: string, allowed: readonly string[]): DestinationCheck {
  if (typeof raw !== "string" || raw.length === 0) {
    return { ok: false, message: "destination is required" };
  }
  if (raw.length > MAX_URL_LENGTH) {
    return { ok: false, message: `destination is longer than ${MAX_URL_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: "destination must be an absolute http(s) URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, message: "destination must be an absolute http(s) URL" };
  }
  // "https://shop.example.com@evil.com" reads as shop.example.com to people; refuse it.
  if (url.username !== "" || url.password !== "") {
    return { ok: false, message: "destination must not contain a user name or password" };
  }
  const host = canonicalHost(url.hostname);
  if (host === null) return { ok: false, message: "destination host is invalid" };
  if (!isHostAllowed(host, allowed)) {
    return { ok: false, message: `destination host ${host} is not in allowedDomains` };
  }
  // Store the host without a trailing dot so that later comparisons see one spelling.
  if (host !== url.hostname) url.hostname = host;
  const href = url.href;
  if (href.length > MAX_URL_LENGTH) {
    return { ok: false, message: `destination is longer than ${MAX_URL_LENGTH} characters` };
  }
  return { ok: true, url: href };
}

export interface QueryParam {
  /** Decoded like URLSearchParams decodes it, for matching incoming names. */
  readonly name: string;
  /** The segment exactly as stored, so untouched params keep the vendor's encoding. */
  readonly raw: string;
}

export interface CompiledDestination {
  readonly href: string;
  /** scheme://host[:port]/path, without query or fragment. */
  readonly base: string;
  readonly params: readonly QueryParam[];
  readonly names: ReadonlySet<string>;
  /** "" or "#…"; a fragment must come after the query. */
  readonly fragment: string;
  /** base + "?" + own query + "&" (or just "?"): the Location minus click param and fragment. */
  readonly fastPrefix: string;
}

/** Once per link, on a destination that passed checkDestination; throws on anything else. */
export function compileDestination(href: string): CompiledDestination {
  const url = new URL(href);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError("destination must be an http(s) URL");
  }
  // The WHATWG serialisation percent-encodes "#" in the query and "?" and "#" in the path,
  // so the first of each marks the boundaries, and no control or space survives.
  const normalized = url.href;
  const hashAt = normalized.indexOf("#");
  const fragment = hashAt < 0 ? "" : normalized.slice(hashAt);
  const beforeHash = hashAt < 0 ? normalized : normalized.slice(0, hashAt);
  const queryAt = beforeHash.indexOf("?");
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? "" : beforeHash.slice(queryAt + 1);
  const params: QueryParam[] = [];
  for (const raw of query.split("&")) {
    if (raw === "") continue;
    const [name = ""] = new URLSearchParams(raw).keys();
    params.push({ name, raw });
  }
  const own = params.map((p) => p.raw).join("&");
  return {
    href: normalized,
    base,
    params,
    names: new Set(params.map((p) => p.name)),
    fragment,
    fastPrefix: own === "" ? `${base}?` : `${base}?${own}&`,
  };
}

const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const FORM_EXTRA = /%20|[!'()~]/g;

// Byte-for-byte what URLSearchParams#toString produces for one name or value, without
// allocating a URLSearchParams per pair.
function formEncode(s: string): string {
  if (FORM_SAFE.test(s)) return s;
  return encodeURIComponent(s.replace(LONE_SURROGATE, "\uFFFD")).replace(FORM_EXTRA, (c) =>
    c === "%20" ? "+" : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface LocationOptions {
  readonly clickParam: string;
  readonly clickId: string;
  readonly allowDeepLinks: boolean;
  readonly allowedDomains: readonly string[];
}

// Incoming params are decoded and re-encoded rather than copied, so nothing in the raw
// query (CR/LF, spaces, broken escapes, non-ASCII) reaches the header unencoded.
export function buildLocation(
  dest: CompiledDestination,
  rawQuery: string,
  opts: LocationOptions,
): string {
  const { clickParam } = opts;
  const click = `${formEncode(clickParam)}=${formEncode(opts.clickId)}`;
  if (rawQuery === "" && !dest.names.has(clickParam)) {
    return dest.fastPrefix + click + dest.fragment;
  }

  const incoming = new URLSearchParams(rawQuery);
  let target = dest;
  if (opts.allowDeepLinks) {
    const to = incoming.get("to");
    if (to !== null) {
      const checked = checkDestination(to, opts.allowedDomains);
      if (checked.ok) target = compileDestination(checked.url);
    }
  }

  const appended: string[] = [];
  const overrides = new Map<string, string[]>();
  for (const [name, value] of incoming) {
    if (name === "" || name === "to" || name === clickParam) continue;
    const encoded = `${formEncode(name)}=${formEncode(value)}`;
    if (target.names.has(name)) {
      const list = overrides.get(name);
      if (list) list.push(encoded);
      else overrides.set(name, [encoded]);
    } else {
      appended.push(encoded);
    }
  }

  const parts: string[] = [];
  for (const p of target.params) {
    if (p.name === clickParam) continue;
    const override = overrides.get(p.name);
    if (override === undefined) {
      parts.push(p.raw);
    } else if (override.length > 0) {
      // All incoming values take the place of the first own occurrence; later ones vanish.
      parts.push(...override);
      override.length = 0;
    }
  }
  parts.push(...appended);
  parts.push(click);
  return `${target.base}?${parts.join("&")}${target.fragment}`;
}
