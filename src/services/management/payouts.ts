import type { Db } from "../../db/client";
import { createPayoutBatch, markBatchPaid } from "../../db/queries/payouts";
import type { ProgramRow } from "../../db/queries/programs";
import { conflict, ok, type Outcome } from "../outcome";

/**
 * Pays out what is due: one payout per partner at or above the program's minimum, in a new
 * batch; no batch at all when nobody reaches it. Either way lists who stays below.
 */
export async function createPayouts(db: Db, program: ProgramRow, now: number) {
  return createPayoutBatch(db, program, now);
}

/** Marks every pending payout of a batch paid at once (paid ones are skipped); 409 when none was pending. */
export async function payBatch(db: Db, batchId: string, now: number): Promise<Outcome<{ marked: number }>> {
  const marked = await markBatchPaid(db, batchId, now);
  return marked === 0 ? conflict("this batch has no pending payout left") : ok({ marked });
}
