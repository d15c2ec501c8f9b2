import type { MiddlewareHandler } from "hono";

/**
 * The policy of a page that loads nothing from elsewhere and runs only its own files: the
 * dashboard and portal (their script and stylesheet live under /static), sign-in and error pages.
 * A page with inline script or style sends its own policy naming their hashes (see api/reference.ts).
 */
export const DEFAULT_PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The headers every HTML page carries beside its CSP: nothing frames it, sniffs it or leaks its URL. */
export const PAGE_SECURITY_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
} as const;

/** For Responses built outside Hono's context (the redirect's 404 page): the four headers at once. */
export const HTML_SECURITY_HEADERS: Record<string, string> = { "content-security-policy": DEFAULT_PAGE_CSP, ...PAGE_SECURITY_HEADERS };

/**
 * Adds the security headers to every HTML response that passes through, whichever route built it
 * (pages, the session gate's sign-in page, error pages), so that a new page cannot forget them.
 * A page's own Content-Security-Policy is kept; the other three are always these values.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // A redirect carries no page. Decided on the status alone because reading `headers` of the
    // redirect's light response makes @hono/node-server build a full one (slower, and with a
    // default content-type added): the redirect must stay byte for byte the fast path's answer.
    const { status } = c.res;
    if (status >= 300 && status < 400) return;
    const type = c.res.headers.get("content-type");
    if (!type || !type.startsWith("text/html")) return;
    const headers = c.res.headers;
    if (!headers.has("content-security-policy")) headers.set("content-security-policy", DEFAULT_PAGE_CSP);
    for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) headers.set(name, value);
  };
}
