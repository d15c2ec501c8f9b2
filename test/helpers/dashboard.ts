import { PUBLIC_URL, type TestApp } from "./app";

export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** A dashboard or portal session cookie, signed in through the real sign-in form. */
export async function dashboardCookie(t: TestApp, area: "app" | "portal", key: string): Promise<string> {
  const form = await t.request(`${PUBLIC_URL}/${area}/login`);
  const res = await t.request(`${PUBLIC_URL}/${area}/login`, {
    method: "POST", redirect: "manual",
    headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in: ${res.status}`);
  return /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
}
