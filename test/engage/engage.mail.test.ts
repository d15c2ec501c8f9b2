import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverMails } from "../../src/services/mail/deliver";
import { smtpTransport } from "../../src/services/mail/smtp";
import { addPartner, countRows, createFixture, createTestApp, expectError, okJson, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";
import { decodeBody, startSmtpServer } from "../helpers/smtp";
import { engageFixture } from "./fixture";

// Announcement and agreement mails (issue 11): queued in the transaction of the publication,
// one per approved partner it concerns, and sent by the mail job to a real SMTP server.

describe("engagement mails", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let transport: ReturnType<typeof smtpTransport>;
  let t: TestApp;

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
  });
  afterEach(async () => { await t.close(); });

  const sent = async () => {
    await deliverMails(t.db, t.clock.now, transport);
    return smtp.received
      .map((m) => ({ to: m.to, subject: /^Subject: (.*)$/m.exec(m.raw)?.[1], body: decodeBody(m.raw) }))
      .sort((a, b) => a.to[0]!.localeCompare(b.to[0]!));
  };

  it("an announcement to tier B reaches the approved partners of tier B by SMTP, once", async () => {
    const f = await engageFixture(t);
    const { partner: dora } = await addPartner(t, f.vendorKey, f.program.id, { name: "Dora", email: "dora@example.com" });
    await t.client.execute({ sql: "UPDATE partners SET tier_id = ? WHERE id = ?", args: [f.tierB, dora.id] });
    await okJson(await t.request(`/api/v1/partners/${dora.id}`, { method: "PATCH", key: f.vendorKey, json: { status: "banned" } }));
    await okJson(await f.announce({ title: "Gold bonus", body: "Double commission this week.", tierIds: [f.tierB] }), 201);
    const mails = await sent();
    expect(mails).toEqual([{ to: ["cleo@example.com"], subject: "Acme Shop: Gold bonus", body: expect.stringContaining("Double commission this week.") }]);
    expect(mails[0]!.body).toContain("Hello Cleo");
    expect(await sent()).toHaveLength(1); // sent once
    expect(await sqlRows(t, "SELECT status FROM mails WHERE kind = 'announcement'")).toEqual([{ status: "sent" }]);
  });

  it("a new agreement version mails every approved partner to accept it in the portal, in the publication's transaction", async () => {
    const f = await createFixture(t, { program: { name: "Acme Shop" } });
    await addPartner(t, f.vendorKey, f.program.id, { name: "Ben", email: "ben@example.com" });
    const { partner: gone } = await addPartner(t, f.vendorKey, f.program.id, { name: "Gone", email: "gone@example.com" });
    await okJson(await t.request(`/api/v1/partners/${gone.id}`, { method: "PATCH", key: f.vendorKey, json: { status: "deactivated" } }));
    const v1 = await okJson(await t.request(`/api/v1/programs/${f.program.id}/agreements`, { method: "POST", key: f.vendorKey, json: { title: "Terms", body: "Be nice." } }), 201);
    const mails = await sent();
    expect(mails.map((m) => m.to[0])).toEqual(["anna@example.com", "ben@example.com"]);
    expect(mails[0]).toMatchObject({ subject: "New partner terms for Acme Shop (version 1)" });
    expect(mails[0]!.body).toContain(`${PUBLIC_URL}/portal`);
    expect(mails[1]!.body).toContain("Hello Ben");
    expect(await sqlRows(t, "SELECT dedupe_key FROM mails WHERE kind = 'agreement' ORDER BY \"to\"")).toEqual([
      { dedupe_key: `agreement:${v1.id}:${f.partner.id}` }, { dedupe_key: expect.stringMatching(new RegExp(`^agreement:${v1.id}:ptn_`)) },
    ]);
    smtp.received.length = 0;
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/agreements`, { method: "POST", key: f.vendorKey, json: { title: "Terms v2", body: "Be nicer." } }), 201);
    expect((await sent()).map((m) => m.subject)).toEqual(["New partner terms for Acme Shop (version 2)", "New partner terms for Acme Shop (version 2)"]);
  });

  it("a refused publication queues no mail", async () => {
    const f = await createFixture(t);
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/agreements`, { method: "POST", key: f.vendorKey, json: { title: "Big", body: "é".repeat(31_000) } }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/announcements`, { method: "POST", key: f.vendorKey, json: { title: "T", body: "x", tierIds: ["tier_nope"] } }), 400, "validation_failed");
    expect(await countRows(t, "mails", "kind IN ('agreement', 'announcement')")).toBe(0);
  });
});
