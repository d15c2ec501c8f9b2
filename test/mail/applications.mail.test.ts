import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverMails } from "../../src/services/mail/deliver";
import { smtpTransport } from "../../src/services/mail/smtp";
import { createFixture, createTestApp, okJson, sqlRows, type TestApp } from "../helpers/app";
import { decodeBody, startSmtpServer } from "../helpers/smtp";

// The application mails (issue 11): received, approved (with the sign-in link), rejected, and
// the welcome of an auto-approval, each written with its decision and sent by the mail job to a
// real SMTP server; the decisions are in the audit log and application.created in the outbox.

describe("application mails", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let transport: ReturnType<typeof smtpTransport>;
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    transport = smtpTransport(smtp.url, "partners@shop.example.com");
  });
  afterAll(async () => {
    transport.close();
    await smtp.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const apply = async (email: string) => okJson(await t.request("/v1/applications", { method: "POST", key: f.publicKey, json: { name: "Bea", email, country: "DE" } }), 201);
  const sent = async () => {
    await deliverMails(t.db, t.clock.now, transport);
    return smtp.received.map((m) => ({ to: m.to, subject: /^Subject: (.*)$/m.exec(m.raw)?.[1], body: decodeBody(m.raw) }));
  };

  it("confirms receipt, then welcomes the approved partner with a sign-in link", async () => {
    const application = await apply("bea@blog.example");
    expect(application.status).toBe("pending");
    expect(await sent()).toEqual([expect.objectContaining({ to: ["bea@blog.example"], subject: "We received your application to Shop" })]);
    smtp.received.length = 0;
    const approved = await okJson(await t.request(`/api/v1/applications/${application.id}/approve`, { method: "POST", key: f.vendorKey }));
    const [welcome] = await sent();
    expect(welcome).toMatchObject({ to: ["bea@blog.example"], subject: "Welcome to Shop" });
    expect(welcome!.body).toContain(approved.signInUrl);
    // a second approval writes nothing and mails nothing
    expect((await t.request(`/api/v1/applications/${application.id}/approve`, { method: "POST", key: f.vendorKey })).status).toBe(409);
    expect(await sent()).toHaveLength(1);
    const audit = await okJson(await t.request(`/api/v1/audit?programId=${f.program.id}&objectId=${application.id}`, { key: f.vendorKey }));
    expect(audit.data).toEqual([expect.objectContaining({ action: "application.approve", actor: expect.objectContaining({ kind: "vendor" }), object: { type: "application", id: application.id } })]);
    const events = await sqlRows(t, "SELECT type FROM events WHERE object_id = ? AND type IS NOT NULL", [application.id]);
    expect(events).toEqual([{ type: "application.created" }]);
  });

  it("tells a rejected applicant, with the reason", async () => {
    const application = await apply("cem@site.example");
    smtp.received.length = 0;
    await deliverMails(t.db, t.clock.now, transport);
    smtp.received.length = 0;
    await okJson(await t.request(`/api/v1/applications/${application.id}/reject`, { method: "POST", key: f.vendorKey, json: { reason: "we only work with EU sites" } }));
    const [mail] = await sent();
    expect(mail).toMatchObject({ to: ["cem@site.example"], subject: "Your application to Shop" });
    expect(mail!.body).toContain("we only work with EU sites");
    const audit = await okJson(await t.request(`/api/v1/audit?programId=${f.program.id}&objectId=${application.id}`, { key: f.vendorKey }));
    expect(audit.data[0]).toMatchObject({ action: "application.reject", changes: { status: ["pending", "rejected"] } });
  });

  it("welcomes an auto-approved partner at once, with a working sign-in link", async () => {
    await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { applications: { autoApprove: [{ field: "country", op: "is", values: ["DE"] }] } } }));
    const application = await apply("dana@shop-fans.example");
    expect(application.status).toBe("approved");
    const [welcome] = await sent();
    expect(welcome).toMatchObject({ to: ["dana@shop-fans.example"], subject: "Welcome to Shop" });
    const url = /(https?:\/\/\S+\/portal\/signin\?token=[A-Za-z0-9_-]{43})/.exec(welcome!.body)?.[1];
    expect(url).toBeDefined();
    expect((await t.request(url!)).status).toBe(200); // the link's page, ready to sign in
    expect(await sqlRows(t, "SELECT count(*) AS n FROM sign_in_links")).toEqual([{ n: 1 }]);
  });
});
