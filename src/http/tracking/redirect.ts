import type { Context, MiddlewareHandler } from "hono";
import { issueClickId } from "../../domain/clickId";
import { RESERVED_SLUGS, SLUG_PATTERN } from "../../domain/slug";
import { isBotAgent } from "../../domain/traffic";
import { buildLocation } from "../../domain/urlSafety";
import { readSubIds } from "../../services/tracking/clickEvent";
import type { AppDeps, AppEnv } from "../deps";
import { HTML_SECURITY_HEADERS } from "../securityHeaders";
import type { CachedLink } from "./linkCache";
import type { ClickRequestFacts } from "./requestFacts";

const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Link not found</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}</style></head>
<body><h1>This link does not exist</h1><p>The link you followed is unknown or no longer active. Check it for typos, or ask whoever shared it for a new one.</p></body></html>`;

function notFoundPage(): Response {
  return new Response(NOT_FOUND_PAGE, {
    status: 404,
    // set here, not only by createApp's middleware: the tracking Worker serves this page without it
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-robots-tag": "noindex", ...HTML_SECURITY_HEADERS },
  });
}

function queryOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

/**
 * The redirect: the hottest path in afflux. Before the 302 it does only what the response needs
 * (click id, Location) plus pushing the raw click to the sink (GET only: HEAD records nothing);
 * parsing the user agent, hashing the visitor and writing happen later, once per batch. Returns
 * the 302's headers; shared by the Hono route and the Node server's fast path (nodeFastPath.ts).
 */
export function redirectHeaders(
  deps: AppDeps, link: CachedLink, record: boolean, rawQuery: string, facts: ClickRequestFacts,
): Record<string, string> {
  const ts = deps.now();
  const bot = isBotAgent(facts.userAgent);
  const clickId = issueClickId({ programNum: link.programNum, linkNum: link.linkNum, partnerNum: link.partnerNum, ts, bot }, deps.secret);
  const location = buildLocation(link.destination, rawQuery, {
    clickParam: link.clickParam, clickId, allowDeepLinks: link.allowDeepLinks, allowedDomains: link.allowedDomains,
  });
  if (record) {
    deps.clickSink.push({
      id: clickId, ts, programNum: link.programNum, linkNum: link.linkNum, partnerNum: link.partnerNum, bot,
      userAgent: facts.userAgent, ip: facts.ip, referer: facts.referer, country: facts.country,
      subs: rawQuery.includes("sub") ? readSubIds(new URLSearchParams(rawQuery)) : null,
    });
  }
  return {
    // buildLocation only emits printable ASCII (URL serialisation; property-tested), so no re-encoding
    location,
    "cache-control": "no-store",
    "x-robots-tag": "noindex",
    "referrer-policy": "no-referrer-when-downgrade",
    "set-cookie": `afx_click=${clickId}; Max-Age=${link.cookieMaxAge}; Path=/; HttpOnly; SameSite=Lax${facts.secure ? "; Secure" : ""}`,
  };
}

function redirect(deps: AppDeps, c: Context<AppEnv>, link: CachedLink): Response {
  const headers = redirectHeaders(deps, link, c.req.method === "GET", queryOf(c.req.url), deps.readClickFacts(c));
  // A string body and a plain header record let @hono/node-server write the response straight
  // from its cache (writeHead with this object); `c.redirect` gives a null body, for which it
  // builds a full Fetch Response and Headers per request.
  return new Response("", { status: 302, headers });
}

/**
 * `GET/HEAD /:slug`. HEAD answers the same but records no click. Mounted after every other route
 * (see `mountRedirect`), so a path like `/app` reaches its own route first; a reserved first
 * segment that has no route of its own (`/v1`, `/static`) falls through with `next()`.
 */
export function redirectHandler(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const slug = c.req.param("slug") ?? "";
    if (RESERVED_SLUGS.has(slug.toLowerCase())) return next();
    if (!SLUG_PATTERN.test(slug)) return Promise.resolve(notFoundPage());
    const cached = deps.linkCache.peek(slug);
    if (cached !== undefined) return Promise.resolve(cached ? redirect(deps, c, cached) : notFoundPage());
    return deps.linkCache.get(slug).then((link) => (link ? redirect(deps, c, link) : notFoundPage()));
  };
}

export const ROBOTS_TXT = "User-agent: *\nDisallow: /\n";
