import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, type TestApp } from "../helpers/app";

describe("link → click → conversion → commission", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("attributes a postback to the clicked link and prices its commission", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna", "?sub1=news");
    const res = await t.request("/v1/conversions", { method: "POST", key: f.postbackKey, json: { orderId: "o1", event: "sale", amount: "49.99", clickId } });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      orderId: "o1", amount: "49.99", refunded: "0.00", currency: "USD", source: "postback", status: "attributed", reason: null,
      attribution: { partnerId: f.partner.id, linkId: f.link.id, clickId, model: "last_click", via: "click" },
      commission: { amount: "10.00", currency: "USD", status: "pending" },
    });
    await t.flushClicks();
    const link = await (await t.request(`/api/v1/links/${f.link.id}`, { key: f.vendorKey })).json();
    expect(link).toMatchObject({ clicks: 1, botClicks: 0 });
  });
});
