import type { Db } from "../../db/client";
import { createPayoutBatch, markBatchPaid, markPayoutPaid, type PayoutRow } from "../../db/queries/payouts";
import type { ProgramRow } from "../../db/queries/programs";
import type { Actor } from "../../domain/audit";
import { conflict, ok, type Outcome } from "../outcome";

/**
 * Pays out what is due: one payout per partner at or above the program's minimum, in a new
 * batch; no batch at all when nobody reaches it. Either way lists who stays below. Each payout
 * gets its `payout.created` event in the same batch.
 */
export async function createPayouts(db: Db, program: ProgramRow, now: number, actor: Actor) {
  return createPayoutBatch(db, program, now, { vendorId: program.vendorId, actor });
}

/** Marks every pending payout of a batch paid at once (paid ones are skipped); 409 when none was pending. */
export async function payBatch(db: Db, program: ProgramRow, batchId: string, now: number, actor: Actor): Promise<Outcome<{ marked: number }>> {
  const marked = await markBatchPaid(db, batchId, now, { vendorId: program.vendorId, programId: program.id, currency: program.currency, actor });
  return marked === 0 ? conflict("this batch has no pending payout left") : ok({ marked });
}

/** Marks one pending payout and its commissions paid; 409 when it was paid already. */
export async function payPayout(db: Db, program: ProgramRow, payout: PayoutRow, now: number, actor: Actor): Promise<Outcome<{ id: string }>> {
  const done = await markPayoutPaid(db, payout.id, now, { vendorId: program.vendorId, currency: payout.currency, actor });
  return done ? ok({ id: payout.id }) : conflict("this payout is already paid");
}
