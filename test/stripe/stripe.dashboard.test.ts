import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, PUBLIC_URL, type TestApp } from "../helpers/app";
import { checkoutSession, sendStripe, stripeEvent, WHSEC } from "./events";

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("dashboard: Stripe on the Integrations page", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie: string;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    cookie = await signIn(f.vendorKey);
  });
  afterEach(async () => { await t.close(); });

  async function signIn(key: string) {
    const form = await t.request("/app/login");
    const res = await t.request("/app/login", {
      method: "POST", redirect: "manual", headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
    });
    expect(res.status).toBe(303);
    return /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
  }
  const page = (path: string, as = cookie, extra = "") => t.request(path, { headers: { cookie: `afx_s=${as}${extra}` } });
  /** The page a form's redirect leads to, with the flash cookie the redirect set. */
  const after = (res: Response, path: string) => page(path, cookie, `; ${(res.headers.get("set-cookie") ?? "").split(";")[0]}`);
  const post = (path: string, fields: Record<string, string>, as = cookie) =>
    t.request(path, { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${as}`, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

  it("pastes the signing secret, shows the endpoint to copy, then the events received and what each became", async () => {
    const base = `/app/p/${f.program.id}/integrations`;
    const before = await (await page(base)).text();
    expect(before).toContain(`${PUBLIC_URL}/v1/integrations/stripe/${f.program.id}`);
    expect(before).toContain("not connected");
    expect(before).toContain('href="/app/p/' + f.program.id + '/integrations"'); // in the navigation

    const refused = await post(`${base}/stripe`, { _csrf: csrfOf(before), webhookSecret: "sk_live_nope" });
    expect(refused.status).toBe(303);
    expect(await (await after(refused, base)).text()).toContain("Nothing was saved");
    const saved = await post(`${base}/stripe`, { _csrf: csrfOf(before), webhookSecret: WHSEC });
    expect(saved.status).toBe(303);
    const connected = await (await after(saved, base)).text();
    expect(connected).toContain("Stripe is connected");
    expect(connected).toContain("connected since");
    expect(connected).not.toContain(WHSEC);

    const clickId = await click(t, "anna");
    const sent = await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId })));
    const receipt = await sent.json();
    t.clock.now += 1000;
    await sendStripe(t, f.program.id, stripeEvent("customer.created", { id: "cus_1" }));
    const html = await (await page(base)).text();
    expect(html).toContain("checkout.session.completed");
    expect(html).toContain(`/conversions/${receipt.conversionId}`);
    expect(html).toContain("customer.created is not an event afflux uses");
    const csv = await (await page(`${base}?format=csv&table=stripe-events`)).text();
    expect(csv.split("\n")[0]).toContain("Became");
    expect(csv).toContain("conversion");
    expect(csv).toContain("ignored");
  });

  it("another vendor's program is 404 and its secret cannot be set through the page", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    const theirCookie = await signIn(other.vendorKey);
    expect((await page(`/app/p/${f.program.id}/integrations`, theirCookie)).status).toBe(404);
    const own = await (await page(`/app/p/${other.program.id}/integrations`, theirCookie)).text();
    const res = await post(`/app/p/${f.program.id}/integrations/stripe`, { _csrf: csrfOf(own), webhookSecret: WHSEC }, theirCookie);
    expect(res.status).toBe(404);
    expect((await sendStripe(t, f.program.id, stripeEvent("customer.created", { id: "cus_1" }))).status).toBe(404);
  });
});
