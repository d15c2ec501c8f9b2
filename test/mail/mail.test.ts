import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverMails } from "../../src/services/mail/deliver";
import { smtpTransport } from "../../src/services/mail/smtp";
import { MAIL_RETRY_MS } from "../../src/domain/mail";
import { createFixture, createTestApp, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";
import { csrfOf, pageHtml, signedIn } from "../helpers/dashboard";
import { decodeBody, startSmtpServer } from "../helpers/smtp";

// E-mail (issue 11): a mail is written with the change it tells of and sent by the mail job
// over SMTP, to a real SMTP server here; without SMTP it waits in the dashboard's outbox.

describe("e-mail through the outbox", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let transport: ReturnType<typeof smtpTransport>;
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie = "";

  beforeAll(async () => {
    smtp = await startSmtpServer();
    transport = smtpTransport(smtp.url, "Shop partners <partners@shop.example.com>");
  });
  afterAll(async () => {
    transport.close();
    await smtp.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.state.refuse = false;
    t = await createTestApp();
    f = await createFixture(t);
    cookie = await signedIn(t, f.vendorKey);
  });
  afterEach(async () => { await t.close(); });

  /** The manager creates a portal sign-in link on the partner's page; returns the link shown. */
  async function createSignInLink(): Promise<string> {
    const path = `/app/p/${f.program.id}/partners/${f.partner.id}`;
    const html = await pageHtml(t, cookie, path);
    const res = await t.request(`${PUBLIC_URL}${path}/signin-link`, {
      method: "POST", headers: { cookie, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(html) }).toString(),
    });
    const shown = await res.text();
    expect(res.status).toBe(200);
    return /id="signin-url" value="([^"]+)"/.exec(shown)![1]!.replaceAll("&amp;", "&");
  }

  it("mails a sign-in link to the partner, once, and the link in the mail signs in", async () => {
    const shown = await createSignInLink();
    expect(smtp.received).toHaveLength(0); // the request did not wait for SMTP
    expect(await deliverMails(t.db, t.clock.now, transport)).toEqual({ sent: 1, failed: 0 });
    expect(await deliverMails(t.db, t.clock.now, transport)).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(["anna@example.com"]);
    expect(mail.from).toBe("partners@shop.example.com");
    expect(mail.raw).toMatch(/^Subject: Your sign-in link for Shop$/m);
    const body = decodeBody(mail.raw);
    expect(body).toContain(shown);
    // the link opens the sign-in page, whose button starts the partner's session
    const page = await t.request(shown);
    const form = await page.text();
    const preSession = (page.headers.get("set-cookie") ?? "").split(";")[0]!;
    const signin = await t.request(`${PUBLIC_URL}/portal/signin`, {
      method: "POST", redirect: "manual", headers: { cookie: preSession, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(form), token: new URL(shown).searchParams.get("token")! }).toString(),
    });
    expect(signin.status).toBe(303);
    expect(signin.headers.get("location")).toBe("/portal");
    // once sent, the secret link is no longer kept
    const [row] = await sqlRows(t, "SELECT status, link, body FROM mails");
    expect(row).toMatchObject({ status: "sent", link: null });
    expect(String(row!.body)).not.toContain("token=");
  });

  it("without SMTP the mail waits in the outbox, which shows it with its link", async () => {
    const shown = await createSignInLink();
    expect(await deliverMails(t.db, t.clock.now, null)).toEqual({ sent: 0, failed: 0 });
    const outbox = await pageHtml(t, cookie, `/app/p/${f.program.id}/outbox`);
    expect(outbox).toContain("anna@example.com");
    expect(outbox).toContain("Waiting");
    expect(outbox).toContain(shown.replaceAll("&", "&amp;"));
    // another vendor's manager sees none of it
    const other = await createFixture(t);
    const otherCookie = await signedIn(t, other.vendorKey);
    await pageHtml(t, otherCookie, `/app/p/${f.program.id}/outbox`, 404);
    expect(await pageHtml(t, otherCookie, `/app/p/${other.program.id}/outbox`)).not.toContain("anna@example.com");
  });

  it("retries a refused mail with backoff, then gives up", async () => {
    await createSignInLink();
    smtp.state.refuse = true;
    expect(await deliverMails(t.db, t.clock.now, transport)).toEqual({ sent: 0, failed: 1 });
    let [row] = await sqlRows(t, "SELECT status, attempts, next_attempt_at AS next, last_error AS error FROM mails");
    expect(row).toMatchObject({ status: "queued", attempts: 1, next: t.clock.now + MAIL_RETRY_MS[0] });
    expect(String(row!.error)).toContain("450");
    // not due yet: nothing is tried
    expect(await deliverMails(t.db, t.clock.now + 1_000, transport)).toEqual({ sent: 0, failed: 0 });
    smtp.state.refuse = false;
    expect(await deliverMails(t.db, t.clock.now + MAIL_RETRY_MS[0], transport)).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);

    await createSignInLink();
    smtp.state.refuse = true;
    let now = t.clock.now;
    for (let attempt = 0; attempt <= MAIL_RETRY_MS.length; attempt++) {
      await deliverMails(t.db, now, transport);
      now += 24 * 3_600_000;
    }
    [row] = await sqlRows(t, "SELECT status, attempts FROM mails WHERE status <> 'sent'");
    expect(row).toMatchObject({ status: "failed", attempts: MAIL_RETRY_MS.length + 1 });
  });

  it("two mail jobs at once send each mail once", async () => {
    await createSignInLink();
    await createSignInLink();
    const [a, b] = await Promise.all([deliverMails(t.db, t.clock.now, transport), deliverMails(t.db, t.clock.now, transport)]);
    expect(a.sent + b.sent).toBe(2);
    expect(smtp.received).toHaveLength(2);
  });
});
