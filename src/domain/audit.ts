/**
 * Who changed what: the actor of a change and the `{field: [before, after]}` diff the audit log
 * shows. Pure; the rows themselves are written by src/db/queries/events.ts.
 */

/** Who made a change: a vendor key, a partner (key or portal), the operator (admin key) or a job. */
/** Changes no person made: jobs, the tracking path, auto-approval. */
export const SYSTEM_ACTOR = { kind: "system" } as const;

export type Actor =
  | { kind: "vendor"; keyId?: string | undefined }
  | { kind: "partner"; partnerId: string; keyId?: string | undefined }
  | { kind: "operator"; keyId?: string | undefined }
  | { kind: "system" };

export type Changes = Record<string, [unknown, unknown]>;

/**
 * Fields that are never written into an event, whatever a caller passes: a key's secret or
 * hash, a webhook secret, tokens. Matched case-insensitively on the field name.
 */
const SECRET_FIELD = /(hash|secret|key|token|password)$/i;

export const isSecretField = (field: string): boolean => SECRET_FIELD.test(field);

/** JSON has no undefined and no bigint: null for the one, a decimal string for the other. */
function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return v.toString();
  return v;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(jsonValue(a)) === JSON.stringify(jsonValue(b));
}

/**
 * The fields among `fields` whose value differs between `before` and `after` (null before: a
 * creation; null after: a removal). Secret fields are left out even when asked for.
 */
export function diffChanges(before: object | null, after: object | null, fields: readonly string[]): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    if (isSecretField(field)) continue;
    const b = before ? (before as Record<string, unknown>)[field] : undefined;
    const a = after ? (after as Record<string, unknown>)[field] : undefined;
    if (!same(b, a)) changes[field] = [jsonValue(b), jsonValue(a)];
  }
  return changes;
}

/** The actor as the audit API shows it: its kind and the key or partner behind it. */
export function actorJson(kind: string, keyId: string | null, partnerId: string | null) {
  return { kind, ...(partnerId ? { partnerId } : {}), ...(keyId ? { keyId } : {}) };
}
