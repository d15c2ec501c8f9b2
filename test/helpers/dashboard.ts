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
