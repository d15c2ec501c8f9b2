import type { Db } from "../../db/client";
import { getVendorProgram } from "../../db/queries/programs";
import {
  deleteEndpoint, ensureFanOutCursor, getVendorDelivery, insertEndpoint, queueRetry, queueTestEvent, updateEndpoint,
  type DeliveryRow, type EndpointRow,
} from "../../db/queries/webhooks";
import { eventRow, type EventInput } from "../../db/queries/events";
import { diffChanges, SYSTEM_ACTOR, type Actor } from "../../domain/audit";
import { newId } from "../../domain/ids";
import { openSecret, sealSecret } from "../../domain/secretBox";
import { ROTATION_OVERLAP_MS, newSigningSecret } from "../../domain/webhooks";
import { conflict, invalidInput, missing, ok, type Outcome } from "../outcome";
import { checkTarget, type TargetPolicy } from "./targets";

/** The secret box purpose of webhook signing secrets (each sealed value is bound to its endpoint id). */
const PURPOSE = "webhook-signing";

/** Opened secrets by sealed value (each seal is unique; a rotation seals anew), bounded. */
const opened = new Map<string, string | null>();
async function open(serverSecret: string, endpointId: string, sealed: string): Promise<string | null> {
  const key = `${endpointId}.${sealed}`;
  const hit = opened.get(key);
  if (hit !== undefined) return hit;
  const plain = await openSecret(serverSecret, PURPOSE, endpointId, sealed);
  if (opened.size >= 1000) opened.clear();
  opened.set(key, plain);
  return plain;
}

/** The secrets that sign now: the current one, and the previous one during the 24 h after a rotation. */
export async function signingSecrets(serverSecret: string, e: EndpointRow, now: number): Promise<string[]> {
  const secrets: string[] = [];
  const current = await open(serverSecret, e.id, e.secretSealed);
  if (!current) throw new Error(`the signing secret of ${e.id} does not open with this server secret`);
  secrets.push(current);
  if (e.previousSecretSealed && e.previousSecretUntil !== null && e.previousSecretUntil > now) {
    const previous = await open(serverSecret, e.id, e.previousSecretSealed);
    if (previous) secrets.push(previous);
  }
  return secrets;
}

async function checkedUrl(url: string, policy: TargetPolicy): Promise<Outcome<string>> {
  const verdict = await checkTarget(url, policy);
  return verdict.ok ? ok(verdict.url.href) : invalidInput("url", verdict.reason);
}

/** The manager's change of an endpoint for the audit log (no webhook event fits it; never a secret). */
function endpointAudit(e: EndpointRow, actor: Actor, action: string, before: EndpointRow | null, after: EndpointRow | null): EventInput {
  return {
    vendorId: e.vendorId, programId: e.programId, type: null, action, actor, object: { type: "webhook", id: e.id },
    changes: diffChanges(before, after, ["url", "events", "programId", "enabled", "disabledReason", "previousSecretUntil"]),
  };
}

export interface EndpointInput {
  url: string;
  events: string[];
  programId?: string | undefined;
}

/** A new endpoint and its signing secret (shown once; stored sealed). */
export async function createEndpoint(
  db: Db, serverSecret: string, vendorId: string, input: EndpointInput, policy: TargetPolicy, now: number, actor: Actor = SYSTEM_ACTOR,
): Promise<Outcome<{ endpoint: EndpointRow; secret: string }>> {
  if (input.programId !== undefined && !(await getVendorProgram(db, vendorId, input.programId))) return missing("program");
  const url = await checkedUrl(input.url, policy);
  if (url.kind !== "ok") return url;
  const id = newId("whk");
  const secret = newSigningSecret();
  const row: EndpointRow = {
    id, vendorId, programId: input.programId ?? null, url: url.value, events: [...new Set(input.events)],
    secretSealed: await sealSecret(serverSecret, PURPOSE, id, secret), previousSecretSealed: null, previousSecretUntil: null,
    enabled: true, disabledReason: null, disabledAt: null, failingSince: null, createdAt: now, updatedAt: now,
  };
  const endpoint = await insertEndpoint(db, row, endpointAudit(row, actor, "webhook.create", null, row));
  await ensureFanOutCursor(db);
  return ok({ endpoint, secret });
}

/** Changes url, events or enabled; enabling again forgets the failures that disabled it. */
export async function changeEndpoint(
  db: Db, endpoint: EndpointRow, input: { url?: string | undefined; events?: string[] | undefined; enabled?: boolean | undefined }, policy: TargetPolicy, now: number,
  actor: Actor = SYSTEM_ACTOR,
): Promise<Outcome<EndpointRow>> {
  const set: Partial<EndpointRow> & { updatedAt: number } = { updatedAt: now };
  if (input.url !== undefined) {
    const url = await checkedUrl(input.url, policy);
    if (url.kind !== "ok") return url;
    set.url = url.value;
  }
  if (input.events !== undefined) set.events = [...new Set(input.events)];
  if (input.enabled === true && !endpoint.enabled) Object.assign(set, { enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
  if (input.enabled === false && endpoint.enabled) Object.assign(set, { enabled: false, disabledReason: "manual", disabledAt: now });
  const row = await updateEndpoint(db, endpoint.id, set, endpointAudit(endpoint, actor, "webhook.update", endpoint, { ...endpoint, ...set }));
  return row ? ok(row) : missing("webhook");
}

export async function removeEndpoint(db: Db, endpoint: EndpointRow, now: number, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  await deleteEndpoint(db, endpoint.id, endpointAudit(endpoint, actor, "webhook.delete", endpoint, null), now);
}

/** A new signing secret (shown once); the old one keeps signing for 24 h alongside it. */
export async function rotateEndpointSecret(db: Db, serverSecret: string, endpoint: EndpointRow, now: number, actor: Actor = SYSTEM_ACTOR): Promise<Outcome<string>> {
  const secret = newSigningSecret();
  const set = {
    secretSealed: await sealSecret(serverSecret, PURPOSE, endpoint.id, secret),
    previousSecretSealed: endpoint.secretSealed, previousSecretUntil: now + ROTATION_OVERLAP_MS, updatedAt: now,
  };
  const row = await updateEndpoint(db, endpoint.id, set, endpointAudit(endpoint, actor, "webhook.rotate_secret", endpoint, { ...endpoint, ...set }));
  return row ? ok(secret) : missing("webhook");
}

/** Sends a delivery's event to its target again at once (the delivery job picks it up). */
export async function retryDelivery(db: Db, vendorId: string, deliveryId: string, endpointOf: (id: string) => Promise<EndpointRow | null>, now: number): Promise<Outcome<DeliveryRow>> {
  const d = await getVendorDelivery(db, vendorId, deliveryId);
  if (!d) return missing("delivery");
  if (d.kind === "webhook") {
    const endpoint = await endpointOf(d.targetId);
    if (!endpoint) return missing("delivery");
    if (!endpoint.enabled) return conflict("the endpoint is disabled: enable it (PATCH enabled: true) before retrying");
  }
  return ok(await queueRetry(db, d, now));
}

/** A `webhook.test` event for this endpoint only (no other endpoint or reader sees it). */
export async function sendTestEvent(db: Db, endpoint: EndpointRow, now: number): Promise<DeliveryRow> {
  const row = eventRow({
    vendorId: endpoint.vendorId, programId: endpoint.programId, type: null, action: null, actor: { kind: "system" },
    object: { type: "webhook", id: endpoint.id }, data: { webhookId: endpoint.id, message: "a test event from afflux" },
  }, now);
  return queueTestEvent(db, endpoint, row, now);
}
