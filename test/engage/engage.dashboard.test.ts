import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";
import { dashboardSession, signedIn, textOf } from "../helpers/dashboard";
import { engageFixture } from "./fixture";

let t: TestApp;
let f: Awaited<ReturnType<typeof engageFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await engageFixture(t);
});
afterEach(() => t.close());

describe("announcements and satisfaction in the dashboard and the portal", () => {
  it("the manager publishes to a tier from the announcements page (linked from the program nav) and sees who read it; CSV too", async () => {
    const app = await dashboardSession(t, "app", f.vendorKey);
    const base = `/app/p/${f.program.id}`;
    const overview = await app.get(base);
    expect(overview.html).toContain(`href="${base}/announcements"`);
    const empty = await app.get(`${base}/announcements`);
    expect(empty.status).toBe(200);
    expect(empty.html).toContain(`value="${f.tierB}"`);
    expect(textOf(empty.html)).toContain("No announcement yet.");
    const posted = await app.post(`${base}/announcements`, { title: "Gold news", body: "For gold partners.", tierIds: f.tierB });
    expect(posted).toMatchObject({ status: 303, location: `${base}/announcements` });
    expect(await sqlRows(t, "SELECT title, tier_ids FROM announcements")).toEqual([{ title: "Gold news", tier_ids: JSON.stringify([f.tierB]) }]);
    expect(await sqlRows(t, "SELECT \"to\" FROM mails WHERE kind = 'announcement'")).toEqual([{ to: "cleo@example.com" }]);
    const [a] = (await f.mine(f.cleo.apiKey)).data;
    await okJson(await f.read(f.cleo.apiKey, a.id));
    const list = textOf((await app.get(`${base}/announcements`)).html);
    expect(list).toContain("Gold news");
    expect(list).toContain("Gold"); // the audience
    const csv = await app.get(`${base}/announcements?format=csv&table=announcements`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.html).toMatch(/Gold news.*,1\s*$/m);
    // bad input and a forged form
    expect((await app.post(`${base}/announcements`, { title: "", body: "x" })).status).toBe(303);
    const cookie = await signedIn(t, f.vendorKey);
    const forged = await t.request(`${PUBLIC_URL}${base}/announcements`, { method: "POST", redirect: "manual", headers: { cookie, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: "title=x&body=y" });
    expect(forged.status).toBe(403);
    expect(await sqlRows(t, "SELECT count(*) AS n FROM announcements")).toEqual([{ n: 1 }]);
  });

  it("the portal lists announcements unread first, marks one read (CSRF form), and never shows another tier's", async () => {
    const older = await okJson(await f.announce({ title: "Older news", body: "first" }), 201);
    t.clock.now += 1000;
    await okJson(await f.announce({ title: "Newer news", body: "second" }), 201);
    t.clock.now += 1000;
    const gold = await okJson(await f.announce({ title: "Gold only", body: "third", tierIds: [f.tierB] }), 201);
    await okJson(await f.read(f.anna.apiKey, (await f.mine(f.anna.apiKey)).data[0].id)); // Anna read the newer one
    const portal = await dashboardSession(t, "portal", f.anna.apiKey);
    const home = await portal.get("/portal");
    expect(textOf(home.html)).toContain("1 unread announcement");
    const page = textOf((await portal.get("/portal/announcements")).html);
    expect(page.indexOf("Older news")).toBeGreaterThan(-1);
    expect(page.indexOf("Older news")).toBeLessThan(page.indexOf("Newer news"));
    expect(page).not.toContain("Gold only");
    expect((await portal.post(`/portal/announcements/${gold.id}/read`)).status).toBe(404);
    const done = await portal.post(`/portal/announcements/${older.id}/read`);
    expect(done).toMatchObject({ status: 303, location: "/portal/announcements" });
    expect(await sqlRows(t, "SELECT count(*) AS n FROM announcement_reads WHERE partner_id = ?", [f.anna.id])).toEqual([{ n: 2 }]);
    expect(textOf((await portal.get("/portal")).html)).not.toContain("unread announcement");
  });

  it("the portal asks once a quarter; the answer shows on the manager's partners overview", async () => {
    const portal = await dashboardSession(t, "portal", f.anna.apiKey);
    expect((await portal.get("/portal")).html).toContain('action="/portal/satisfaction"');
    expect((await portal.post("/portal/satisfaction", { score: "11" })).status).toBe(303);
    expect(await sqlRows(t, "SELECT count(*) AS n FROM satisfaction_responses")).toEqual([{ n: 0 }]);
    expect((await portal.post("/portal/satisfaction", { score: "10", comment: "Lovely team" })).status).toBe(303);
    expect((await portal.get("/portal")).html).not.toContain('action="/portal/satisfaction"');
    expect((await portal.post("/portal/satisfaction", { score: "2" })).status).toBe(303);
    expect(await sqlRows(t, "SELECT score, comment FROM satisfaction_responses")).toEqual([{ score: 10, comment: "Lovely team" }]);
    const app = await dashboardSession(t, "app", f.vendorKey);
    const journey = textOf((await app.get(`/app/p/${f.program.id}/journey`)).html);
    expect(journey).toContain("Partner satisfaction");
    expect(journey).toMatch(/NPS \(promoters 9–10 minus detractors 0–6\) 100/);
    expect(journey).toContain("Lovely team");
  });
});
