import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addPartner, BOT_UA, click, createFixture, createTestApp, okJson, postConversion, type TestApp } from "../helpers/app";

// For any interleaving of pixels (any identifiers, for this order and others) and one postback
// for an order, the postback's attribution equals what the postback alone decides, whenever it
// carries an identifier. The oracle is a second app that only ever saw the postback.

const START = Date.UTC(2026, 10, 2, 12);
const CLICKERS = ["anna", "mallory", "carla", "bot", "forged", "none"] as const;
type Clicker = (typeof CLICKERS)[number];

async function world() {
  const t = await createTestApp({ now: START });
  const f = await createFixture(t);
  await addPartner(t, f.vendorKey, f.program.id, { name: "Mallory", email: "m@example.com" }, { slug: "mallory" });
  await addPartner(t, f.vendorKey, f.program.id, { name: "Carla", email: "c@example.com", coupon: "CARLA" }, { slug: "carla" });
  // ids are random per app: compare partners and links by name and slug
  const names = new Map<string, string>();
  for (const p of (await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners`, { key: f.vendorKey }))).data) names.set(p.id, p.name);
  for (const l of (await okJson(await t.request(`/api/v1/links?programId=${f.program.id}`, { key: f.vendorKey }))).data) names.set(l.id, l.slug);
  const decided = (body: { status: string; reason: string | null; attribution: Record<string, unknown> | null }) => ({
    status: body.status, reason: body.reason,
    attribution: body.attribution && { ...body.attribution, partnerId: names.get(body.attribution.partnerId as string), linkId: names.get(body.attribution.linkId as string) ?? null },
  });
  return { t, f, decided };
}

/** Click ids made once (in the first app): the same secret and numbering make them valid in both. */
async function makeClicks(t: TestApp): Promise<Record<Clicker, string | undefined>> {
  const anna = await click(t, "anna");
  return {
    anna, mallory: await click(t, "mallory"), carla: await click(t, "carla"), bot: await click(t, "mallory", "", BOT_UA),
    forged: anna.slice(0, -3) + (anna.endsWith("xyz") ? "abc" : "xyz"), none: undefined,
  };
}

const pixelArb = fc.record({
  clicker: fc.constantFrom(...CLICKERS),
  customer: fc.constantFrom(undefined, "cus_known", "cus_new"),
  coupon: fc.constantFrom(undefined, "ANNA10", "CARLA", "NOPE"),
  target: fc.boolean(),
  amount: fc.constantFrom("10.00", "99.00"),
  afterPostback: fc.boolean(),
});
const postbackArb = fc
  .record({ clicker: fc.constantFrom(...CLICKERS), customer: fc.constantFrom(undefined, "cus_known", "cus_new"), coupon: fc.constantFrom(undefined, "ANNA10", "CARLA", "NOPE") })
  .filter((p) => p.clicker !== "none" || p.customer !== undefined || p.coupon !== undefined);


describe("pixel trust, as a property", () => {
  it("a postback with an identifier decides as if no pixel had come", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pixelArb, { maxLength: 6 }), postbackArb, async (pixels, postback) => {
        const mixed = await world();
        const alone = await world();
        try {
          const clicks = await makeClicks(mixed.t);
          for (const w of [mixed, alone]) {
            // shared history: the known customer belongs to Anna through a postback
            await okJson(await postConversion(w.t, w.f.postbackKey, { orderId: "history", event: "sale", amount: "5.00", clickId: clicks.anna, customerId: "cus_known" }), 201);
          }
          const fire = (p: (typeof pixels)[number], i: number) => {
            const q: Record<string, string> = { pk: mixed.f.publicKey, order: p.target ? "target" : `other-${i}`, amount: p.amount };
            const clickId = clicks[p.clicker];
            if (clickId) q.click = clickId;
            if (p.customer) q.customer = p.customer;
            if (p.coupon) q.coupon = p.coupon;
            return mixed.t.request(`/px.gif?${new URLSearchParams(q)}`);
          };
          for (const [i, p] of pixels.entries()) if (!p.afterPostback) await fire(p, i);
          const body = { orderId: "target", event: "sale", amount: "50.00", clickId: clicks[postback.clicker], customerId: postback.customer, coupon: postback.coupon };
          const res = await postConversion(mixed.t, mixed.f.postbackKey, body);
          expect([200, 201]).toContain(res.status); // 200 when it superseded a pixel
          const got = await res.json();
          const want = await okJson(await postConversion(alone.t, alone.f.postbackKey, body), 201);
          expect(mixed.decided(got)).toEqual(alone.decided(want));
          for (const [i, p] of pixels.entries()) if (p.afterPostback) await fire(p, i);
          const stored = await okJson(await mixed.t.request(`/api/v1/conversions/${got.id}`, { key: mixed.f.vendorKey }));
          expect(mixed.decided(stored)).toEqual(alone.decided(want));
          expect(stored.commission?.status ?? null).toBe(want.commission?.status ?? null);
        } finally {
          await mixed.t.close();
          await alone.t.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
