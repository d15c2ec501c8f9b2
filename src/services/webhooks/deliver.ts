import type { Db } from "../../db/client";
import {
  attemptContext, bareEventObjects, bareEvents, claimDue, fanOut, fillEventData, nextFanOutRange, postbackFacts, recordAttempts,
  type AttemptRecord, type AttemptResult, type DeliveryRow, type EndpointRow, type OutboxEvent,
} from "../../db/queries/webhooks";
import { formatMoney } from "../../domain/money";
import { commissionJson, conversionJson } from "../../http/api/present";
import {
  EXCERPT_BYTES, LEASE_MS, TIMEOUT_MS, nextAttemptAt, renderPostbackUrl, shouldDisable, signatureHeader, webhookBody,
} from "../../domain/webhooks";
import { signingSecrets } from "./endpoints";
import { checkTarget, type TargetPolicy } from "./targets";

/** What the delivery job needs; `fetch` and `random` are injectable for tests. */
export interface DeliveryContext {
  db: Db;
  /** the server secret (opens the sealed signing secrets) */
  secret: string;
  targets: TargetPolicy;
  fetch?: typeof fetch;
  random?: () => number;
  log?: (line: string) => void;
}

export interface DeliveryRun {
  fannedOut: number;
  attempted: number;
  succeeded: number;
  failed: number;
}

/** attempts sent at once by one run (and recorded in one batch) */
const CONCURRENCY = 64;
/** attempts one run sends at most (a run is also bounded by the events waiting) */
const MAX_PER_RUN = 2000;

/**
 * The delivery job (idempotent, a function of (context, now)): fans new events out into first
 * attempts, then sends every due attempt it can lease, CONCURRENCY at a time, and records each
 * result with its next attempt. At least once: an attempt is closed only after its answer, so
 * a process that dies while sending leaves the lease to expire and the event goes again, with
 * the same `webhook-id`.
 */
export async function runWebhookDeliveries(ctx: DeliveryContext, now: number): Promise<DeliveryRun> {
  const run: DeliveryRun = { fannedOut: 0, attempted: 0, succeeded: 0, failed: 0 };
  // Two groups in flight at once: one is sending while the other reads or records, so neither
  // the database nor the network waits for the other (leases keep the groups apart).
  const lane = async () => {
    while (run.attempted < MAX_PER_RUN) {
      const due = await claimDue(ctx.db, now, LEASE_MS, CONCURRENCY);
      if (due.length === 0) return;
      run.attempted += due.length;
      const known = await attemptContext(ctx.db, due);
      const records = await Promise.all(due.map((d) => attemptOne(ctx, d, known.events.get(d.eventId) ?? null, d.kind === "webhook" ? known.endpoints.get(d.targetId) ?? null : null, now)
        .catch((err) => {
          ctx.log?.(`webhook delivery ${d.id} failed: ${String(err)}`);
          return null; // its lease expires and it is sent again
        })));
      const done = records.filter((r): r is AttemptRecord => r !== null);
      await recordAttempts(ctx.db, done);
      for (const r of done) {
        if (r.r.ok) run.succeeded++;
        else run.failed++;
      }
      if (due.length < CONCURRENCY) return;
    }
  };
  // Events written while a round was sending are fanned out by the next round at once, not at
  // the next tick of the timer: under steady load the lag stays one round long.
  for (let round = 0; round < 20 && run.attempted < MAX_PER_RUN; round++) {
    let fanned = 0;
    for (let n = await fanOutNext(ctx.db, now); n > 0; n = await fanOutNext(ctx.db, now)) fanned += n;
    run.fannedOut += fanned;
    const before = run.attempted;
    await Promise.all([lane(), lane()]);
    if (fanned === 0 && run.attempted === before) break;
  }
  return run;
}

/** The next range of events fanned out, its bare events filled in first; how many events it covered. */
async function fanOutNext(db: Db, now: number): Promise<number> {
  const range = await nextFanOutRange(db);
  if (!range) return 0;
  const bare = await bareEvents(db, range);
  if (bare.length > 0) {
    const ids = (type: string) => bare.filter((e) => e.objectType === type).map((e) => e.objectId);
    const objects = await bareEventObjects(db, ids("conversion"), ids("commission"));
    const conversionsById = new Map(objects.conversions.map((c) => [c.id, c]));
    const commissionsById = new Map(objects.commissions.map((c) => [c.id, c]));
    const commissionOf = new Map(objects.commissions.map((c) => [c.conversionId, c]));
    await fillEventData(db, bare.flatMap((e): { id: string; data: unknown }[] => {
      if (e.objectType === "commission") {
        const commission = commissionsById.get(e.objectId);
        return commission ? [{ id: e.id, data: commissionJson(commission) }] : [];
      }
      const conversion = conversionsById.get(e.objectId);
      return conversion ? [{ id: e.id, data: conversionJson(conversion, commissionOf.get(conversion.id) ?? null) }] : [];
    }));
  }
  return fanOut(db, now, range);
}

/** Sends one leased attempt; what it gave, to record. */
async function attemptOne(ctx: DeliveryContext, d: DeliveryRow, event: OutboxEvent | null, endpoint: EndpointRow | null, now: number): Promise<AttemptRecord> {
  const request = event ? await buildRequest(ctx, d, event, endpoint, now) : { refused: "the event no longer exists" };
  let result: AttemptResult;
  let final = false;
  if ("refused" in request) {
    result = { at: now, url: null, statusCode: null, durationMs: null, error: request.refused, responseExcerpt: null, ok: false };
    final = true;
  } else {
    const verdict = await checkTarget(request.url, ctx.targets);
    result = verdict.ok
      ? await send(ctx, request, now)
      : { at: now, url: request.url, statusCode: null, durationMs: null, error: `refused: ${verdict.reason}`, responseExcerpt: null, ok: false };
  }
  let failing: { failingSince: number | null; disable: boolean } | null = null;
  if (endpoint && !final) {
    if (result.ok) failing = endpoint.failingSince === null ? null : { failingSince: null, disable: false };
    else {
      const since = endpoint.failingSince ?? now;
      failing = { failingSince: since, disable: shouldDisable(since, now) };
    }
  }
  const next = result.ok || final || failing?.disable ? null : nextAttemptAt(d.attempt, now, (ctx.random ?? Math.random)());
  return { d, r: result, next, endpoint: failing };
}

interface OutgoingRequest {
  url: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body: string | null;
}

/** The request an attempt makes, or why none can be made (a target gone or disabled). */
async function buildRequest(ctx: DeliveryContext, d: DeliveryRow, event: OutboxEvent, endpoint: EndpointRow | null, now: number): Promise<OutgoingRequest | { refused: string }> {
  if (d.kind === "postback") {
    const facts = await postbackFacts(ctx.db, event.objectId);
    if (!facts?.postbackUrl) return { refused: "the partner has no postback URL any more" };
    const url = renderPostbackUrl(facts.postbackUrl, {
      click_id: facts.clickId, sub1: facts.sub1, sub2: facts.sub2, sub3: facts.sub3, sub4: facts.sub4, sub5: facts.sub5,
      order_id: facts.orderId, event: facts.event, amount: formatMoney(facts.amount, facts.currency),
      commission: facts.commission === null ? null : formatMoney(facts.commission, facts.currency), currency: facts.currency, status: facts.status,
    });
    return { url, method: "GET", headers: { "user-agent": USER_AGENT }, body: null };
  }
  if (!endpoint) return { refused: "the endpoint was deleted" };
  if (!endpoint.enabled) return { refused: `the endpoint is disabled${endpoint.disabledReason === "failing" ? " (every attempt failed for 5 days)" : ""}` };
  const body = webhookBody(d.eventType, event.createdAt, event.data);
  const timestamp = Math.floor(now / 1000);
  const secrets = await signingSecrets(ctx.secret, endpoint, now);
  return {
    url: endpoint.url, method: "POST", body,
    headers: {
      "content-type": "application/json", "user-agent": USER_AGENT,
      "webhook-id": event.id, "webhook-timestamp": String(timestamp), "webhook-signature": await signatureHeader(secrets, event.id, timestamp, body),
    },
  };
}

const USER_AGENT = "afflux-webhooks/1";

/** One HTTP request: no redirects followed, 10 s for the whole answer, the first 1 KiB of its body kept. */
async function send(ctx: DeliveryContext, r: OutgoingRequest, now: number): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await (ctx.fetch ?? ctx.targets.fetch ?? fetch)(r.url, { method: r.method, headers: r.headers, body: r.body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    const excerpt = await readExcerpt(res);
    const ok = res.status >= 200 && res.status < 300;
    let error: string | null = null;
    if (res.status >= 300 && res.status < 400) error = `redirect not followed${res.headers.get("location") ? ` (to ${res.headers.get("location")!.slice(0, 200)})` : ""}`;
    else if (!ok) error = `HTTP ${res.status}`;
    return { at: now, url: r.url, statusCode: res.status, durationMs: elapsed(), error, responseExcerpt: excerpt, ok };
  } catch (err) {
    return { at: now, url: r.url, statusCode: null, durationMs: elapsed(), error: describeFailure(err), responseExcerpt: null, ok: false };
  }
}

/** At most EXCERPT_BYTES of the body; the rest is not read (a huge or endless body costs nothing). */
async function readExcerpt(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, EXCERPT_BYTES));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

function describeFailure(err: unknown): string {
  // by name: fetch throws DOMExceptions, node:http's streams (the checking fetch's body) their own AbortError
  const name = (err as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `connection failed (${cause.code})`;
  return err instanceof Error ? err.message : String(err);
}
