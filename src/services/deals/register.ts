import { isUniqueViolationOf } from "../../db/errors";
import type { Db } from "../../db/client";
import { insertDeal, registrationFacts, type DealRow } from "../../db/queries/deals";
import { dealEvent, expiryEvents } from "./decide";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import { parseIsoTimestamp } from "../../domain/dates";
import { accountKey } from "../../domain/accountKey";
import { decideRegistration, protectionUntil } from "../../domain/deals";
import { newId } from "../../domain/ids";
import { parseMoney } from "../../domain/money";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";

export interface DealInput {
  company: string;
  domain?: string | null | undefined;
  contactName: string;
  contactEmail: string;
  value?: string | number | null | undefined;
  expectedCloseAt?: string | null | undefined;
  notes?: string | null | undefined;
}

export const OWN_OPEN_DEAL = "you already have an open deal for this account";

/** The stored fields of a deal input, checked (the account key, money in minor units, dates). */
export function dealFields(program: ProgramRow, input: DealInput, now: number): Outcome<Pick<DealRow, "company" | "domain" | "account" | "contactName" | "contactEmail" | "value" | "expectedCloseAt" | "notes">> {
  const key = accountKey({ domain: input.domain ?? null, contactEmail: input.contactEmail });
  if (!key.ok) return invalidInput(key.field, key.message);
  let value: number | null = null;
  if (input.value !== undefined && input.value !== null) {
    const m = parseMoney(input.value, program.currency);
    if (!m.ok) return invalidInput("value", m.message);
    if (m.minor < 0) return invalidInput("value", "must not be negative");
    value = m.minor;
  }
  let expectedCloseAt: number | null = null;
  if (input.expectedCloseAt) {
    const d = parseIsoTimestamp(input.expectedCloseAt, now);
    if (!d.ok) return invalidInput("expectedCloseAt", d.message);
    expectedCloseAt = d.ms;
  }
  return ok({
    company: input.company.trim(), domain: input.domain?.trim() || null, account: key.account, contactName: input.contactName.trim(),
    contactEmail: input.contactEmail.trim(), value, expectedCloseAt, notes: input.notes ?? null,
  });
}

/**
 * A partner registers a deal. The conflict rule (src/domain/deals.ts) decides on what the program
 * knows about the account; the insert is one transaction, and the one-holder index makes a
 * concurrent registration of the same account lose its race: it then decides again, seeing the
 * winner (another partner's deal: `conflict`; its own: 409).
 */
export async function registerDeal(db: Db, program: ProgramRow, partner: PartnerRow, input: DealInput, now: number): Promise<Outcome<DealRow>> {
  const fields = dealFields(program, input, now);
  if (fields.kind !== "ok") return fields;
  for (let attempt = 0; attempt < 3; attempt++) {
    const facts = await registrationFacts(db, program.id, fields.value.account, now);
    const decision = decideRegistration({ partnerId: partner.id, ...facts });
    if (decision.kind === "duplicate") return conflict(OWN_OPEN_DEAL);
    const row: DealRow = {
      id: newId("deal"), programId: program.id, partnerId: partner.id, ...fields.value,
      status: decision.kind, conflictKind: decision.kind === "conflict" ? decision.conflict : null,
      conflictDealId: decision.kind === "conflict" ? decision.withDealId : null,
      // a submitted deal holds the account while the manager reviews it; approval restarts the window
      protectedUntil: decision.kind === "submitted" ? protectionUntil(now, program.dealProtectionDays) : null,
      reason: null, wonAmount: null, closedAt: null, leadId: null, createdAt: now, updatedAt: now,
    };
    try {
      // deal.created for webhooks, with the partner who registered it as the actor
      const expiring = await expiryEvents(db, program, row.account, now);
      return ok(await insertDeal(db, row, dealEvent(program, { kind: "partner", partnerId: partner.id }, "deal.register", null, row), expiring));
    } catch (err) {
      if (!isUniqueViolationOf(err, "deals.account")) throw err;
    }
  }
  throw new Error("deal registration kept losing races for one account");
}
