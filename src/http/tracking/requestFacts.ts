import type { Context } from "hono";

/** What a click records about its request, read once per redirect. */
export interface ClickRequestFacts {
  userAgent: string;
  /** held in memory only until the click's visitor hash is computed */
  ip: string;
  referer: string | null;
  /** ISO country from the edge (`CF-IPCountry`), when present */
  country: string | null;
  /** served over https (directly or behind a TLS-terminating proxy): the cookie gets `Secure` */
  secure: boolean;
}
export type ReadClickFacts = (c: Context) => ClickRequestFacts;

function forwardedFor(value: string | null | undefined): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

/**
 * Portable reader over the Fetch `Request` (Workers, tests). `fallbackIp` supplies the address
 * when no trusted header carries it.
 */
export function headerFacts(opts: { ipHeader?: string; trustForwardedFor?: boolean; fallbackIp?: (c: Context) => string } = {}): ReadClickFacts {
  return (c) => {
    const h = c.req.raw.headers;
    const ip =
      (opts.ipHeader ? h.get(opts.ipHeader) : null) ??
      (opts.trustForwardedFor ? forwardedFor(h.get("x-forwarded-for")) : undefined) ??
      opts.fallbackIp?.(c) ??
      "";
    return {
      userAgent: h.get("user-agent") ?? "", ip, referer: h.get("referer"), country: h.get("cf-ipcountry"),
      secure: c.req.url.startsWith("https:") || h.get("x-forwarded-proto") === "https",
    };
  };
}

/** The part of Node's `IncomingMessage` the facts come from. */
export interface NodeIncoming {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The facts from the headers Node already parsed; used by `nodeFacts` and the Node fast path. */
export function incomingFacts(incoming: NodeIncoming, trustForwardedFor: boolean): ClickRequestFacts {
  const h = incoming.headers;
  return {
    userAgent: one(h["user-agent"]) ?? "",
    ip: (trustForwardedFor ? forwardedFor(one(h["x-forwarded-for"])) : undefined) ?? incoming.socket.remoteAddress ?? "",
    referer: one(h.referer) ?? null,
    country: one(h["cf-ipcountry"]) ?? null,
    secure: one(h["x-forwarded-proto"]) === "https" || "encrypted" in incoming.socket,
  };
}

/**
 * Node reader: takes the headers Node already parsed (`c.env.incoming`), because asking the
 * Fetch `Request` for them makes @hono/node-server build a full Headers object per request,
 * which costs more than the rest of the redirect together.
 */
export function nodeFacts(opts: { trustForwardedFor: boolean }): ReadClickFacts {
  return (c) => {
    const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
    return incoming ? incomingFacts(incoming, opts.trustForwardedFor) : headerFacts(opts)(c);
  };
}
