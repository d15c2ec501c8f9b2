import { addPartner, createFixture, okJson, type TestApp } from "../helpers/app";

/**
 * A program with two tiers (the entry tier "A" and "B") and three partners: Anna and Ben in A,
 * Cleo moved to B (partners change tier through settlement; here a stored fact set directly).
 */
export async function engageFixture(t: TestApp) {
  const f = await createFixture(t, { program: { name: "Acme Shop" } });
  const tierA = f.program.entryTierId as string;
  const tierB = await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { method: "POST", key: f.vendorKey, json: { name: "Gold", rank: 2, metric: "conversions", threshold: "10" } }), 201);
  const { partner: ben } = await addPartner(t, f.vendorKey, f.program.id, { name: "Ben", email: "ben@example.com" });
  const { partner: cleo } = await addPartner(t, f.vendorKey, f.program.id, { name: "Cleo", email: "cleo@example.com" });
  await t.client.execute({ sql: "UPDATE partners SET tier_id = ? WHERE id = ?", args: [tierB.id, cleo.id] });
  const announce = (json: Record<string, unknown>, programId = f.program.id, key = f.vendorKey) =>
    t.request(`/api/v1/programs/${programId}/announcements`, { method: "POST", key, json });
  const mine = async (key: string, query = "") => okJson(await t.request(`/api/v1/me/announcements${query}`, { key }));
  const read = (key: string, id: string) => t.request(`/api/v1/me/announcements/${id}/read`, { method: "POST", key });
  return { ...f, tierA, tierB: tierB.id as string, anna: f.partner as { id: string; apiKey: string }, ben, cleo, announce, mine, read };
}
