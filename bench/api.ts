// Tiny client for the contract's management API, used to set up bench fixtures.
export type Json = Record<string, unknown>;

export async function api(base: string, key: string, method: string, path: string, body?: Json): Promise<Json> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new Error(`${method} ${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
}

export function str(o: Json, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string' || !v) throw new Error(`${what}: response has no string "${field}": ${JSON.stringify(o)}`);
  return v;
}

export interface LinkFixture { vendorKey: string; linkId: string; slug: string; programId: string; postbackKey: string }

/** vendor → program (shop.example.com) → partner → link, all through the public API. */
export async function setupLink(base: string, adminKey: string): Promise<LinkFixture> {
  const vendor = await api(base, adminKey, 'POST', '/api/v1/vendors', { name: 'Bench Vendor' });
  const vendorKey = str(vendor, 'apiKey', 'POST /api/v1/vendors');
  const program = await api(base, vendorKey, 'POST', '/api/v1/programs', {
    name: 'Bench Program',
    allowedDomains: ['shop.example.com'],
  });
  const programId = str(program, 'id', 'POST /api/v1/programs');
  const partner = await api(base, vendorKey, 'POST', `/api/v1/programs/${programId}/partners`, {
    name: 'Bench Partner',
    email: 'bench.partner@example.com',
  });
  const partnerId = str(partner, 'id', 'POST partners');
  const link = await api(base, vendorKey, 'POST', '/api/v1/links', {
    programId,
    partnerId,
    destination: 'https://shop.example.com/p',
  });
  return {
    vendorKey, linkId: str(link, 'id', 'POST /api/v1/links'), slug: str(link, 'slug', 'POST /api/v1/links'),
    programId, postbackKey: str(program, 'postbackKey', 'POST /api/v1/programs'),
  };
}

/** clicks + botClicks of a link, as stored. */
export async function storedClicks(base: string, key: string, linkId: string): Promise<number> {
  const link = await api(base, key, 'GET', `/api/v1/links/${linkId}`);
  const clicks = Number(link.clicks);
  const bots = Number(link.botClicks ?? 0);
  if (!Number.isFinite(clicks)) throw new Error(`GET /api/v1/links/${linkId} has no numeric "clicks"`);
  return clicks + (Number.isFinite(bots) ? bots : 0);
}
