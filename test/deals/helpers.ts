import { addPartner, createFixture, okJson, type TestApp } from "../helpers/app";

/** A program with a 20% sale rule and three partners (keys included); co-selling defaults. */
export async function coselling(t: TestApp, program: Record<string, unknown> = {}) {
  const f = await createFixture(t, { program });
  const anna = { id: f.partner.id as string, key: f.partner.apiKey as string };
  const bob = (await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com" })).partner;
  const cara = (await addPartner(t, f.vendorKey, f.program.id, { name: "Cara", email: "cara@example.com" })).partner;
  return { ...f, anna, bob: { id: bob.id, key: bob.apiKey }, cara: { id: cara.id, key: cara.apiKey } };
}
export type Coselling = Awaited<ReturnType<typeof coselling>>;

export const deal = (over: Record<string, unknown> = {}) => ({ company: "Globex", domain: "globex.com", contactName: "Hank", contactEmail: "hank@globex.com", value: "1000", ...over });

export function register(t: TestApp, key: string, body: Record<string, unknown> = deal()) {
  return t.request("/api/v1/me/deals", { method: "POST", key, json: body });
}

export async function registered(t: TestApp, key: string, body: Record<string, unknown> = deal()) {
  return okJson(await register(t, key, body), 201);
}

export function act(t: TestApp, key: string, dealId: string, action: string, json?: unknown) {
  return t.request(`/api/v1/deals/${dealId}/${action}`, { method: "POST", key, ...(json === undefined ? {} : { json }) });
}
