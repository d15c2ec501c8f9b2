import type { InStatement } from "@libsql/client";
import { dealAttribution, decideAttribution, decidePixelAttribution, hasIdentifier, withPartnerStatus, type AttributionDecision, type AttributionFacts } from "../../domain/attribution";
import { verifyClickId } from "../../domain/clickId";
import { commissionAmount, pickRule, withinDuration, type ConversionEvent } from "../../domain/commission";
import { emailHash, fraudFlags } from "../../domain/fraud";
import { newTimeOrderedId } from "../../domain/ids";
import { DAY_MS } from "../../domain/traffic";
import type { Db } from "../../db/client";
import {
  commissionOf, earliestCustomerClick, findConversion, findConversionWithCommission, findCustomer, supersedePixel,
  type CommissionRow, type ConversionRow,
} from "../../db/queries/conversions";
import { findPartnerByCoupon } from "../../db/queries/partners";
import { getLink } from "../../db/queries/links";
import { clickDimensions, visitorClicksThatDay } from "../../db/queries/stats";
import type { ProgramRow } from "../../db/queries/programs";
import type { ClickSink } from "./clickSink";
import { ReadCache } from "./readCache";
import { GroupCommit, type BatchClient, type PreparedReader } from "../../db/groupCommit";
import { newConversionsPlan, type NewConversion } from "../../db/queries/newConversions";
import { clientOf } from "../../db/client";
import { eventRow, type EventInput, type EventRow } from "../../db/queries/events";
import { diffChanges } from "../../domain/audit";
import { commissionJson } from "../../http/api/present";

export interface ConversionInput {
  orderId: string;
  event: ConversionEvent;
  /** minor units; null for a lead without amount */
  amount: number | null;
  currency: string;
  clickId: string | null;
  customerId: string | null;
  coupon: string | null;
  /** hashed with the server secret on arrival, never stored raw */
  customerEmail?: string | null;
  occurredAt: number;
  source: "postback" | "pixel" | "deal";
  /** source `deal`: the partner of the won deal, who gets the sale */
  dealPartnerId?: string;
}

export type RecordOutcome =
  | { kind: "created" | "replayed" | "superseded"; conversion: ConversionRow; commission: CommissionRow | null }
  | { kind: "conflict"; message: string }
  /** a pixel without a valid click of this program: nothing recorded */
  | { kind: "ignored" };

export interface TrackingDeps {
  db: Db;
  secret: string;
  now: () => number;
  /** where a click waits before it is stored (the Node sink can be asked; a Queue cannot) */
  clickSink?: Pick<ClickSink, "waitingClick">;
  /** programs, links, partners and rules read once (the app always has one; scripts may not) */
  reads?: ReadCache;
  /** group commit of concurrent new conversions (the app always has one); else each writes alone */
  writes?: ConversionWriter;
  /** the tracking path's per-postback reads, kept prepared (the Node server's native connection) */
  prepared?: PreparedReader;
}

export type ConversionWriter = GroupCommit<NewConversion, boolean>;
/** The group commit of new conversions over a batch client (the db's own, or a native one on a file). */
export const conversionWriter = (client: BatchClient): ConversionWriter => new GroupCommit(client, newConversionsPlan, { lingerMs: 2 });

const readsOf = (deps: TrackingDeps): ReadCache => deps.reads ?? new ReadCache(deps.db, { ttlMs: 0 });
/** `also`: more writes of the conversion's own transaction (then it is written alone, not in a group commit). */
async function insertNew(deps: TrackingDeps, job: NewConversion, also: InStatement[] = []): Promise<boolean> {
  if (deps.writes && also.length === 0) return deps.writes.submit(job);
  return newConversionsPlan.results([job], await clientOf(deps.db).batch([...newConversionsPlan.statements([job]), ...also], "write"))[0]!;
}

/** What attribution and pricing read: the attribution facts, and when the customer first converted (recurring rules). */
interface Gathered {
  facts: AttributionFacts;
  customerFirstAt: number | null;
}

async function gatherFacts(deps: TrackingDeps, program: ProgramRow, input: ConversionInput): Promise<Gathered> {
  const facts: AttributionFacts = { programNum: program.num, model: program.attribution, cookieDays: program.cookieDays, occurredAt: input.occurredAt };
  let customerFirstAt: number | null = null;
  if (input.clickId) {
    const decoded = verifyClickId(input.clickId, deps.secret);
    const link = decoded && decoded.programNum === program.num ? await readsOf(deps).linkByNums(decoded.linkNum, decoded.partnerNum) : null;
    facts.click = {
      decoded,
      candidate: decoded && link ? { clickId: input.clickId, clickTs: decoded.ts, linkId: link.linkId, partnerId: link.partnerId } : null,
    };
  }
  if (input.customerId) {
    const customer = await findCustomer(deps.db, program.id, input.customerId);
    customerFirstAt = customer?.firstAt ?? null;
    facts.customer = {
      firstPartnerId: customer?.firstPartnerId ?? null,
      lastPartnerId: customer?.lastPartnerId ?? null,
      earliestClickInWindow:
        program.attribution === "first_click" && customer
          ? await earliestCustomerClick(deps.db, program.id, input.customerId, input.occurredAt - program.cookieDays * DAY_MS)
          : null,
    };
  }
  if (input.coupon) facts.coupon = { partnerId: (await findPartnerByCoupon(deps.db, program.id, input.coupon))?.id ?? null };
  return { facts, customerFirstAt };
}

/**
 * Report dimensions of an attributed conversion: partner and link numbers, and country, device
 * and sub1 of its click: stored, or still waiting in this process's click sink. (On Workers a
 * click still in the Queue has none to give; the sale then reports under unknown country.)
 */
async function reportDimensions(deps: TrackingDeps, partnerId: string, linkId: string | null, clickId: string | null, readClick: boolean) {
  const partner = await readsOf(deps).partner(partnerId);
  // The link's number is in the click id that attributed the conversion (no read needed).
  const linkNum = clickId && linkId ? (verifyClickId(clickId, deps.secret)?.linkNum ?? (await getLink(deps.db, linkId))?.num ?? null) : null;
  // A click still waiting in this process's sink gives its dimensions at once; a stored one is
  // read here, or (new conversions) copied in the insert's transaction without a read.
  const waiting = clickId ? deps.clickSink?.waitingClick?.(clickId) ?? null : null;
  const click = waiting ?? (clickId && readClick ? await clickDimensions(deps.db, clickId) : null);
  return { partnerNum: partner?.num ?? null, linkNum, country: click?.country ?? null, device: click?.device ?? null, sub1: click?.sub1 ?? null, fromClick: waiting !== null };
}

/** The partner's current tier picks the rule; the commission is computed once, at creation. */
async function priceCommission(deps: TrackingDeps, program: ProgramRow, partnerId: string, event: ConversionEvent, amount: number, now: number) {
  const partner = await readsOf(deps).partner(partnerId);
  const rule = pickRule(await readsOf(deps).rules(program.id), event, partner?.tierId ?? null, now);
  if (!rule) return null;
  return { rule, partner, tierId: partner?.tierId ?? null, amount: commissionAmount(rule, amount), availableAt: now + program.holdDays * DAY_MS };
}

function sameRequest(existing: ConversionRow, input: ConversionInput): boolean {
  return existing.amount === (input.amount ?? 0) && existing.currency === input.currency;
}

type Decision = ReturnType<typeof decideAttribution>;

/** The partner's status comes from the read cache (it is read for the tier anyway): no extra query per conversion. */
async function activePartnerOnly(deps: TrackingDeps, decision: AttributionDecision): Promise<AttributionDecision> {
  if (!decision.attributed) return decision;
  return withPartnerStatus(decision, (await readsOf(deps).partner(decision.partnerId))?.status ?? null);
}

/** The conversion row an attribution decision makes of the input (report dimensions included). */
async function conversionRow(
  deps: TrackingDeps, program: ProgramRow, input: ConversionInput, decision: Decision, base: Pick<ConversionRow, "id" | "createdAt" | "changeToken">,
  readClick = true,
): Promise<ConversionRow & { dimsKnown: boolean }> {
  const dims = decision.attributed ? await reportDimensions(deps, decision.partnerId, decision.linkId, decision.clickId, readClick) : null;
  return {
    dimsKnown: !dims || readClick || dims.fromClick,
    ...base, programId: program.id, event: input.event, orderId: input.orderId, amount: input.amount ?? 0, refunded: 0,
    currency: input.currency, source: input.source, status: decision.attributed ? "attributed" : "unattributed",
    reason: decision.attributed ? null : decision.reason,
    partnerId: decision.attributed ? decision.partnerId : null,
    linkId: decision.attributed ? decision.linkId : null,
    clickId: decision.attributed ? decision.clickId : null,
    clickTs: decision.attributed ? decision.clickTs : null,
    via: decision.attributed ? decision.via : null,
    partnerNum: dims?.partnerNum ?? null, linkNum: dims?.linkNum ?? null,
    country: dims?.country ?? null, device: dims?.device ?? null, sub1: dims?.sub1 ?? null,
    model: program.attribution, cookieDays: program.cookieDays, customerId: input.customerId, coupon: input.coupon, occurredAt: input.occurredAt,
    customerEmailHash: input.customerEmail ? emailHash(deps.secret, input.customerEmail) : null, noCommission: null,
  };
}

/**
 * The commission an attributed conversion earns (null when unattributed, no rule matches, or the
 * rule's duration is over for this customer: then `conv.noCommission` says so). Fraud signals
 * send it to hold, whatever `status` was asked.
 */
async function commissionRow(
  deps: TrackingDeps, program: ProgramRow, conv: ConversionRow, status: CommissionRow["status"], now: number, customerFirstAt: number | null, id = newTimeOrderedId("com", now),
): Promise<CommissionRow | null> {
  if (!conv.partnerId) return null;
  const priced = await priceCommission(deps, program, conv.partnerId, conv.event, conv.amount, now);
  if (!priced) return null;
  const { rule } = priced;
  if (!withinDuration(rule.durationMonths, customerFirstAt, conv.occurredAt)) {
    conv.noCommission = { reason: "outside_duration", ruleId: rule.id, durationMonths: rule.durationMonths!, firstAt: customerFirstAt! };
    return null;
  }
  const flags = fraudFlags({
    customerEmailHash: conv.customerEmailHash,
    partnerEmailHash: conv.customerEmailHash && priced.partner ? emailHash(deps.secret, priced.partner.email) : null,
    clickTs: conv.via === "click" ? conv.clickTs : null, occurredAt: conv.occurredAt, minConversionSeconds: program.minConversionSeconds,
    visitorClicksThatDay: conv.via === "click" && conv.clickId ? await visitorClicksThatDay(deps.db, conv.clickId, deps.prepared) : null,
  });
  return {
    id, programId: program.id, partnerId: conv.partnerId, conversionId: conv.id, ruleId: rule.id, tierId: priced.tierId,
    ruleType: rule.type, ruleValue: rule.value,
    amount: priced.amount, originalAmount: priced.amount, currency: program.currency, status: flags.length > 0 ? "hold" : status, availableAt: priced.availableAt,
    payoutId: null, flags: flags.length > 0 ? flags : null, changeToken: null, createdAt: now, updatedAt: now,
  };
}

/** The pixel's attribution of a stored conversion, as a decision (a postback without identifiers keeps it). */
function storedDecision(c: ConversionRow): Decision {
  if (c.status !== "attributed" || !c.partnerId || !c.via) return { attributed: false, reason: c.reason ?? "no_identifier" };
  return { attributed: true, partnerId: c.partnerId, linkId: c.linkId, clickId: c.clickId, clickTs: c.clickTs, via: c.via };
}

/**
 * A postback for an order the pixel reported first. The pixel proved nothing (anyone can fire
 * it), so the postback decides afresh from its own identifiers, as if the pixel had never come.
 * Only a postback without any identifier leaves the pixel's click in charge, and then the
 * commission stays in hold for a manager. A pixel commission a manager already approved (or a
 * payout paid) is money committed: its attribution stays, the amount follows the postback.
 */
async function supersede(deps: TrackingDeps, program: ProgramRow, existing: ConversionRow, input: ConversionInput): Promise<RecordOutcome> {
  const now = deps.now();
  const before = await commissionOf(deps.db, existing.id);
  const committed = before !== null && before.status !== "hold" && before.status !== "rejected";
  const fresh = hasIdentifier(input) && !committed;
  const gathered = fresh ? await gatherFacts(deps, program, input) : null;
  const decision = gathered ? await activePartnerOnly(deps, decideAttribution(gathered.facts)) : storedDecision(existing);
  const facts = fresh ? input : { ...input, occurredAt: existing.occurredAt, customerId: existing.customerId, coupon: existing.coupon };
  const { dimsKnown: _, ...conversion } = await conversionRow(deps, program, { ...facts, source: "postback" }, decision, { id: existing.id, createdAt: existing.createdAt, changeToken: existing.changeToken });
  if (!fresh) Object.assign(conversion, { model: existing.model, cookieDays: existing.cookieDays, customerEmailHash: conversion.customerEmailHash ?? existing.customerEmailHash });
  let commission: CommissionRow | null;
  if (committed) commission = { ...before, amount: before.amount, updatedAt: now };
  else commission = await commissionRow(deps, program, conversion, fresh ? "pending" : "hold", now, gathered?.customerFirstAt ?? null, before?.id);
  if (!committed && commission && before && commission.partnerId !== before.partnerId) commission.id = newTimeOrderedId("com", now);
  await supersedePixel(deps.db, program.num, { conversion: existing, commission: before }, { conversion, commission }, supersedeEvents(program, before, commission), now);
  const stored = (await findConversion(deps.db, program.id, input.event, input.orderId))!;
  return { kind: "superseded", conversion: stored, commission: await commissionOf(deps.db, stored.id) };
}

async function answerExisting(deps: TrackingDeps, program: ProgramRow, existing: ConversionRow, commission: CommissionRow | null, input: ConversionInput): Promise<RecordOutcome> {
  if (existing.source === "pixel" && input.source === "postback") return supersede(deps, program, existing, input);
  if (!sameRequest(existing, input)) {
    return { kind: "conflict", message: `order ${input.orderId} (${input.event}) was already reported with another amount or currency` };
  }
  return { kind: "replayed", conversion: existing, commission };
}

/** The outbox rows of a postback taking over a pixel's commission: created anew, or updated in place. */
function supersedeEvents(program: ProgramRow, before: CommissionRow | null, after: CommissionRow | null): EventInput[] {
  if (!after) return [];
  const base = { vendorId: program.vendorId, programId: program.id, actor: { kind: "system" } as const, object: { type: "commission", id: after.id }, data: commissionJson(after) };
  if (!before || before.id !== after.id) return [{ ...base, type: "commission.created" }];
  const changes = diffChanges(before, after, ["amount", "status", "partnerId"]);
  return Object.keys(changes).length > 0 ? [{ ...base, type: "commission.updated", changes }] : [];
}

/**
 * The outbox rows of a new conversion and its commission, bare: the webhook fan-out fills in the
 * objects as the API shows them before their first delivery (src/db/queries/webhooks.ts,
 * `bareEvents`), so that the hottest write does not build JSON that no endpoint may want.
 */
function newConversionEvents(program: ProgramRow, conversion: ConversionRow, commission: CommissionRow | null, now: number): EventRow[] {
  const base = { vendorId: program.vendorId, programId: program.id, actor: { kind: "system" } as const };
  const rows = [eventRow({ ...base, type: "conversion.created", object: { type: "conversion", id: conversion.id } }, now)];
  if (commission) rows.push(eventRow({ ...base, type: "commission.created", object: { type: "commission", id: commission.id } }, now));
  return rows;
}

/**
 * Records a conversion exactly once per (program, event, orderId): attribution, conversion and
 * commission are decided first, then written in one atomic batch that is a no-op on replays.
 * A pixel records only what a valid click decides, and its commission waits in hold.
 */
export async function recordConversion(
  deps: TrackingDeps, program: ProgramRow, input: ConversionInput,
  /** writes that belong to a new conversion's transaction (each made only if the conversion is), e.g. the Stripe event that caused it */
  also?: (conversion: ConversionRow) => InStatement[],
): Promise<RecordOutcome> {
  const now = deps.now();
  const gathered = input.source === "deal" && input.dealPartnerId ? null : await gatherFacts(deps, program, input);
  const customerFirstAt = gathered?.customerFirstAt ?? null;
  const decided = !gathered
    ? dealAttribution(input.dealPartnerId!)
    : input.source === "pixel" ? decidePixelAttribution(gathered.facts) : decideAttribution(gathered.facts);
  const checked = decided && (await activePartnerOnly(deps, decided));
  // a pixel for an inactive partner records nothing, as a pixel without a valid click does
  const decision = input.source === "pixel" && checked && !checked.attributed ? null : checked;
  // A new order is the common case: decide, then insert; the unique key turns a repeat (or a
  // concurrent twin) into a no-op, and only then is the stored conversion read.
  if (decision) {
    const { dimsKnown, ...conversion } = await conversionRow(deps, program, input, decision, { id: newTimeOrderedId("cnv", now), createdAt: now, changeToken: null }, false);
    const commission = await commissionRow(deps, program, conversion, input.source === "pixel" ? "hold" : "pending", now, customerFirstAt);
    // (the answer's row lacks the click's country, device and sub1 when the insert copied them)
    const events = newConversionEvents(program, conversion, commission, now);
    if (await insertNew(deps, { conversion, commission, clickDims: !dimsKnown, events }, also?.(conversion))) return { kind: "created", conversion, commission };
  }
  const existing = await findConversionWithCommission(deps.db, program.id, input.event, input.orderId, deps.prepared);
  if (existing) return answerExisting(deps, program, existing.conversion, existing.commission, input);
  if (!decision) return { kind: "ignored" };
  throw new Error("conversion vanished after a conflicting insert");
}
