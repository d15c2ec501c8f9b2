import type { Context } from "hono";
import { issueClickId } from "../../domain/clickId";
import { RESERVED_SLUGS, SLUG_PATTERN } from "../../domain/slug";
import { isBotAgent } from "../../domain/traffic";
import { buildLocation } from "../../domain/urlSafety";
import { readSubIds } from "../../services/tracking/clickEvent";
import type { AppDeps, AppEnv } from "../deps";
import type { CachedLink } from "./linkCache";

const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Link not found</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}</style></head>
<body><h1>This link does not exist</h1><p>The link you followed is unknown or no longer active. Check it for typos, or ask whoever shared it for a new one.</p></body></html>`;

function notFoundPage(): Response {
  return new Response(NOT_FOUND_PAGE, {
    status: 404,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-robots-tag": "noindex" },
  });
}

function queryOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

/**
 * The redirect: the hottest path in afflux. Before the 302 it does only what the response needs
 * (cache lookup, click id, Location) plus pushing the raw click to the sink; parsing the user
 * agent, hashing the visitor and writing happen later, once per batch.
 */
function redirect(deps: AppDeps, c: Context<AppEnv>, link: CachedLink, slug: string): Response {
  const req = c.req.raw;
  const ts = deps.now();
  const userAgent = req.headers.get("user-agent") ?? "";
  const bot = isBotAgent(userAgent);
  const clickId = issueClickId({ programNum: link.programNum, linkNum: link.linkNum, partnerNum: link.partnerNum, ts, bot }, deps.secret);
  const rawQuery = queryOf(req.url);
  const location = buildLocation(link.destination, rawQuery, {
    clickParam: link.clickParam, clickId, allowDeepLinks: link.allowDeepLinks, allowedDomains: link.allowedDomains,
  });
  const secure = req.url.startsWith("https:") || req.headers.get("x-forwarded-proto") === "https";
  if (req.method === "GET") {
    deps.clickSink.push({
      id: clickId, ts, programNum: link.programNum, linkNum: link.linkNum, partnerNum: link.partnerNum, bot, userAgent,
      ip: deps.clientIp(c), referer: req.headers.get("referer"), country: req.headers.get("cf-ipcountry"),
      subs: rawQuery.includes("sub") ? readSubIds(new URLSearchParams(rawQuery)) : null,
    });
  }
  void slug;
  return new Response(null, {
    status: 302,
    headers: {
      location,
      "cache-control": "no-store",
      "x-robots-tag": "noindex",
      "referrer-policy": "no-referrer-when-downgrade",
      "set-cookie": `afx_click=${clickId}; Max-Age=${link.cookieMaxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`,
    },
  });
}

/** `GET/HEAD /:slug`. HEAD answers the same but records no click. */
export function redirectHandler(deps: AppDeps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const slug = c.req.param("slug") ?? "";
    if (!SLUG_PATTERN.test(slug) || RESERVED_SLUGS.has(slug.toLowerCase())) return notFoundPage();
    const cached = deps.linkCache.peek(slug);
    const link = cached === undefined ? await deps.linkCache.get(slug) : cached;
    return link ? redirect(deps, c, link, slug) : notFoundPage();
  };
}

export const ROBOTS_TXT = "User-agent: *\nDisallow: /\n";
