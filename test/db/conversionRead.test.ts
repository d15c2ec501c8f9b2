import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NativeBatchClient } from "../../src/db/nativeBatch";
import { commissionOf, findConversion, findConversionWithCommission } from "../../src/db/queries/conversions";
import { click, createFixture, createTestApp, postConversion, type TestApp } from "../helpers/app";

// The replay path reads a stored conversion and its commission through the native connection's
// prepared statements, decoding raw columns itself: it must give exactly what drizzle gives.
describe("findConversionWithCommission", () => {
  let dir: string;
  let t: TestApp;
  let native: NativeBatchClient;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "afflux-convread-"));
    t = await createTestApp({ databaseUrl: `file:${join(dir, "c.db")}` });
    native = new NativeBatchClient(join(dir, "c.db"));
  });
  afterEach(async () => {
    native.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads through prepared statements exactly what drizzle reads, with and without a commission", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    // a commission with fraud flags (JSON), a conversion without commission but with a reason
    // for it (JSON), an unattributed one, and a key that does not exist
    expect((await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "49.99", clickId, customerId: "cus_1" })).status).toBe(201);
    expect((await postConversion(t, f.postbackKey, { orderId: "o2", event: "lead", amount: 0, clickId })).status).toBe(201);
    expect((await postConversion(t, f.postbackKey, { orderId: "o3", event: "sale", amount: "5.00" })).status).toBe(201);
    await t.client.execute(`UPDATE commissions SET flags = '["click_flood","click_too_fast"]'`);
    await t.client.execute(`UPDATE conversions SET no_commission = '{"reason":"outside_duration","ruleId":"rule_x","durationMonths":12,"firstAt":1}' WHERE order_id = 'o2'`);
    for (const [event, orderId] of [["sale", "o1"], ["lead", "o2"], ["sale", "o3"], ["sale", "missing"]] as const) {
      const conversion = await findConversion(t.db, f.program.id, event, orderId);
      const expected = conversion && { conversion, commission: await commissionOf(t.db, conversion.id) };
      expect(await findConversionWithCommission(t.db, f.program.id, event, orderId, native), `${event} ${orderId}`).toEqual(expected);
      expect(await findConversionWithCommission(t.db, f.program.id, event, orderId), `${event} ${orderId}`).toEqual(expected);
    }
    const withFlags = (await findConversionWithCommission(t.db, f.program.id, "sale", "o1", native))!;
    expect(withFlags.commission?.flags).toEqual(["click_flood", "click_too_fast"]);
    expect((await findConversionWithCommission(t.db, f.program.id, "lead", "o2", native))!.conversion.noCommission).toMatchObject({ reason: "outside_duration", durationMonths: 12 });
    expect((await findConversionWithCommission(t.db, f.program.id, "sale", "o3", native))!.commission).toBeNull();
  });
});
