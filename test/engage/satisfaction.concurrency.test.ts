import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, countRows, createFixture, createTestApp, expectError, type TestApp } from "../helpers/app";

describe("satisfaction answers at once (temp file database)", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "afflux-satisfaction-"));
    t = await createTestApp({ databaseUrl: `file:${join(dir, "db.sqlite")}` });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); rmSync(dir, { recursive: true, force: true }); });

  it("two posts of one partner at once: one 201 and one 409, each round; other partners are not held up", async () => {
    const partners = [f.partner as { apiKey: string }];
    for (let i = 0; i < 4; i++) partners.push((await addPartner(t, f.vendorKey, f.program.id, { name: `P${i}`, email: `p${i}@example.com` })).partner);
    for (const p of partners) {
      const post = () => t.request("/api/v1/me/satisfaction", { method: "POST", key: p.apiKey, json: { score: 8 } });
      const [a, b] = await Promise.all([post(), post()]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      await expectError(a.status === 409 ? a : b, 409, "conflict");
    }
    expect(await countRows(t, "satisfaction_responses")).toBe(partners.length);
  });
});
