import { PUBLIC_URL, type TestApp } from "./app";

/** The CSRF token a dashboard form carries. */
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Signs in to the dashboard (`app`, a vendor key) or the portal (a partner key); returns the session cookie header. */
export async function signedIn(t: TestApp, key: string, area: "app" | "portal" = "app"): Promise<string> {
  const form = await t.request(`${PUBLIC_URL}/${area}/login`);
  const res = await t.request(`${PUBLIC_URL}/${area}/login`, {
    method: "POST", redirect: "manual",
    headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in to ${area}: ${res.status}`);
  const session = /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!session) throw new Error("no session cookie");
  return `afx_s=${session}`;
}

/** A dashboard page's HTML as the signed-in user sees it. */
export async function pageHtml(t: TestApp, cookie: string, path: string, status = 200): Promise<string> {
  const res = await t.request(`${PUBLIC_URL}${path}`, { headers: { cookie } });
  const html = await res.text();
  if (res.status !== status) throw new Error(`${path}: ${res.status} ${html.slice(0, 300)}`);
  return html;
}
/** The `_csrf` value of the first form of a page. */
export const csrfIn = csrfOf;

/**
 * A signed-in dashboard (`app`) or portal session over the test app: GET pages and POST forms
 * as a browser would (same origin, CSRF token of the session, no redirect followed).
 */
export async function dashboardSession(t: TestApp, area: "app" | "portal", key: string) {
  const session = await signedIn(t, key, area);
  let flash = "";
  const headers = () => ({ cookie: `${session}${flash ? `; afx_flash=${flash}` : ""}` });
  const keepFlash = (r: Response) => {
    const set = /afx_flash=([^;]*)/.exec(r.headers.get("set-cookie") ?? "")?.[1];
    if (set !== undefined) flash = set;
  };
  // a page that never redirects, whatever programs the vendor has
  const csrf = csrfIn(await (await t.request(area === "app" ? "/app/programs/new" : "/portal", { headers: headers() })).text());
  const get = async (path: string) => {
    const r = await t.request(path, { headers: headers() });
    keepFlash(r);
    return { status: r.status, html: await r.text(), headers: r.headers };
  };
  const post = async (path: string, fields: Record<string, string> = {}) => {
    const r = await t.request(path, {
      method: "POST", redirect: "manual",
      headers: { ...headers(), origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
    keepFlash(r);
    return { status: r.status, html: await r.text(), location: r.headers.get("location") };
  };
  return { get, post, csrf };
}

/** Text of a page without tags (for messages that contain markup-free sentences). */
export const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/\s+/g, " ");
