import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createHmac, timingSafeEqual } from "node:crypto";
import { SignInPage } from "../pages/signin";
import { hashApiKey } from "../../src/domain/ids";
import { deleteSession, findSession, insertSession, type SessionRow } from "../../src/db/queries/sessions";
import type { SessionArea } from "../../src/db/schema";
import type { Actor } from "../../src/domain/audit";
import type { AppEnv } from "../../src/http/deps";
import { failedAuthentication } from "../../src/http/middleware/rateLimit";

export const SESSION_COOKIE = "afx_s";
const FLASH_COOKIE = "afx_flash";
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Who a dashboard change is made by: the signed-in manager (the key it signed in with) or partner. */
export const sessionActor = (s: SessionRow): Actor =>
  s.partnerId ? { kind: "partner", partnerId: s.partnerId } : { kind: "vendor", keyId: s.keyId ?? undefined };

export type DashEnv = AppEnv & { Variables: AppEnv["Variables"] & { session: SessionRow; csrf: string } };

function randomToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64url");
}

/** The CSRF token of a session: derived from the cookie's secret token, so it needs no storage. */
export const csrfOf = (token: string) => hashApiKey(`csrf\n${token}`).slice(0, 40);

const isHttps = (c: Context) => c.req.url.startsWith("https:") || c.req.header("x-forwarded-proto") === "https";

function cookieOptions(c: Context, area: SessionArea, maxAge: number) {
  return { path: `/${area}`, httpOnly: true, sameSite: "Lax" as const, secure: isHttps(c), maxAge };
}

/** Starts a session: a random token in an HttpOnly cookie, its hash in the database. */
export async function startSession(c: Context<AppEnv>, area: SessionArea, scope: { vendorId: string; programId: string | null; partnerId: string | null; keyId: string | null }) {
  const token = randomToken();
  const now = c.var.deps.now();
  await insertSession(c.var.deps.db, { hash: hashApiKey(token), area, ...scope, createdAt: now, expiresAt: now + SESSION_TTL_MS });
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, area, SESSION_TTL_MS / 1000));
}

export async function endSession(c: Context<DashEnv>, area: SessionArea) {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) await deleteSession(c.var.deps.db, hashApiKey(token));
  deleteCookie(c, SESSION_COOKIE, { path: `/${area}`, secure: isHttps(c) });
}

export async function currentSession(c: Context<AppEnv> | Context<DashEnv>, area: SessionArea): Promise<{ session: SessionRow; csrf: string } | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  const deps = (c as Context<AppEnv>).var.deps;
  const session = token.length > 100 ? null : await findSession(deps.db, hashApiKey(token), area, deps.now());
  // a cookie that names no live session is a failed authentication (429 once there are too many)
  if (!session) await failedAuthentication(c as Context<AppEnv>);
  return session ? { session, csrf: csrfOf(token) } : null;
}

const PRE_TTL_MS = 3_600_000;
const preMac = (secret: string, ts: string) => createHmac("sha256", secret).update(`afflux sign-in form\n${ts}`).digest("base64url");

/**
 * The CSRF token of sign-in forms, before there is a session: a timestamp signed with the server
 * secret, so that the sign-in page sets no cookie. The Origin check refuses cross-site posts;
 * the token makes a form expire after an hour.
 */
export function preSessionToken(c: Context<AppEnv>): string {
  const ts = String(c.var.deps.now());
  return `${ts}.${preMac(c.var.deps.secret, ts)}`;
}

export function checkPreSessionToken(c: Context<AppEnv>, sent: unknown): boolean {
  if (typeof sent !== "string" || sent.length > 100) return false;
  const [ts = "", mac = ""] = sent.split(".");
  const age = c.var.deps.now() - Number(ts);
  const want = preMac(c.var.deps.secret, ts);
  return /^\d{13}$/.test(ts) && age >= 0 && age < PRE_TTL_MS && mac.length === want.length && timingSafeEqual(Buffer.from(mac), Buffer.from(want));
}

/**
 * Refuses a cross-site form post: the Origin (or, without it, the Referer) must be this server's
 * own origin. Browsers send Origin on every POST form submission; a request with neither is refused.
 */
export function sameOrigin(c: Context): boolean {
  const own = new URL(c.req.url).origin;
  const origin = c.req.header("origin");
  if (origin) return origin === own;
  const referer = c.req.header("referer");
  if (!referer) return false;
  try {
    return new URL(referer).origin === own;
  } catch {
    return false;
  }
}

/**
 * Guards an area: GET without a session goes to the sign-in page; a POST needs a session, the
 * same origin and the session's CSRF token in `_csrf`.
 */
export function sessionGate(area: SessionArea): MiddlewareHandler<DashEnv> {
  return async (c, next) => {
    const found = await currentSession(c, area);
    const post = c.req.method !== "GET" && c.req.method !== "HEAD";
    if (!found) {
      if (post) return c.text("Your session has ended: sign in again.", 403);
      // the sign-in page right here: no redirect and no cookie before someone signs in
      c.header("cache-control", "no-store");
      return c.html(SignInPage({ area, csrf: preSessionToken(c as unknown as Context<AppEnv>) }) as unknown as string, 401);
    }
    if (post) {
      if (!sameOrigin(c)) return c.text("Cross-site form posts are refused.", 403);
      const body = await c.req.parseBody({ all: true });
      const sent = body["_csrf"];
      if (typeof sent !== "string" || sent !== found.csrf) return c.text("This form is stale or forged (CSRF check failed): reload the page and try again.", 403);
    }
    c.set("session", found.session);
    c.set("csrf", found.csrf);
    await next();
  };
}

const FORM_COOKIE = "afx_form";

/**
 * Remembers what a refused form held (every field but the CSRF token, 60 s, this area only), so
 * that the page it goes back to shows the typed values with the error instead of empty fields.
 * `form` names the form (its action path), as a page may hold several.
 */
export function keepTyped(c: Context, area: SessionArea, form: string, body: Record<string, unknown>) {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k !== "_csrf" && typeof v === "string") values[k] = v.slice(0, 2048);
  const raw = encodeURIComponent(JSON.stringify({ form, values }));
  // a cookie holds about 4 KB: a form too large to keep is simply not kept
  if (raw.length <= 3500) setCookie(c, FORM_COOKIE, raw, { path: `/${area}`, httpOnly: true, sameSite: "Lax", maxAge: 60, secure: isHttps(c) });
}

/** The values a refused form held, for the form named so (read once: the cookie is then gone). */
export function takeTyped(c: Context, area: SessionArea): (form: string) => Record<string, string> | undefined {
  const raw = getCookie(c, FORM_COOKIE);
  if (!raw) return () => undefined;
  deleteCookie(c, FORM_COOKIE, { path: `/${area}` });
  try {
    const kept = JSON.parse(decodeURIComponent(raw)) as { form?: unknown; values?: unknown };
    const values = kept.values && typeof kept.values === "object" ? (kept.values as Record<string, string>) : undefined;
    return (form) => (kept.form === form ? values : undefined);
  } catch {
    return () => undefined;
  }
}

export function setFlash(c: Context, area: SessionArea, kind: "ok" | "err", text: string) {
  setCookie(c, FLASH_COOKIE, encodeURIComponent(`${kind}:${text.slice(0, 300)}`), { path: `/${area}`, httpOnly: true, sameSite: "Lax", maxAge: 60, secure: isHttps(c) });
}

export function takeFlash(c: Context, area: SessionArea): { kind: "ok" | "err"; text: string } | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: `/${area}` });
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const kind = text.startsWith("err:") ? "err" : "ok";
  return { kind, text: text.slice(text.indexOf(":") + 1) };
}
