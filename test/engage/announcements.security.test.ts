import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";
import { engageFixture } from "./fixture";

let t: TestApp;
let f: Awaited<ReturnType<typeof engageFixture>>;
let other: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await engageFixture(t);
  other = await createFixture(t, { program: { name: "Other" }, partner: { name: "Olga", email: "olga@example.com", coupon: "OLGA" }, link: { slug: "olga" } });
});
afterEach(() => t.close());

describe("announcements: scope", () => {
  it("another vendor's program is 404 for publishing and listing; another program's tier is 400", async () => {
    await expectError(await f.announce({ title: "T", body: "x" }, other.program.id), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${other.program.id}/announcements`, { key: f.vendorKey }), 404, "not_found");
    await expectError(await f.announce({ title: "T", body: "x", tierIds: [other.program.entryTierId] }), 400, "validation_failed");
  });

  it("another program's announcement is 404 to read and absent from the list", async () => {
    const theirs = await okJson(await f.announce({ title: "Theirs", body: "x" }, other.program.id, other.vendorKey), 201);
    expect((await f.mine(f.anna.apiKey)).data).toEqual([]);
    await expectError(await f.read(f.anna.apiKey, theirs.id), 404, "not_found");
    expect((await f.mine(other.partner.apiKey)).data.map((a: { id: string }) => a.id)).toEqual([theirs.id]);
  });

  it("a partner of tier A never sees a tier-B announcement, nor can mark it read", async () => {
    const b = await okJson(await f.announce({ title: "Gold", body: "x", tierIds: [f.tierB] }), 201);
    expect((await f.mine(f.anna.apiKey)).data).toEqual([]);
    expect((await f.mine(f.anna.apiKey, "?unread=true")).data).toEqual([]);
    await expectError(await f.read(f.anna.apiKey, b.id), 404, "not_found");
    expect((await okJson(await f.read(f.cleo.apiKey, b.id))).readAt).toEqual(expect.any(String));
  });

  it("keys of the wrong kind: a partner cannot publish or read the manager list, a vendor has no /me, no key is 401", async () => {
    await expectError(await f.announce({ title: "T", body: "x" }, f.program.id, f.anna.apiKey), 403, "forbidden");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/announcements`, { key: f.anna.apiKey }), 403, "forbidden");
    await expectError(await t.request("/api/v1/me/announcements", { key: f.vendorKey }), 403, "forbidden");
    await expectError(await t.request("/api/v1/me/announcements"), 401, "unauthorized");
  });
});
