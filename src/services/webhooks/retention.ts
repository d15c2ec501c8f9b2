import type { Db } from "../../db/client";
import { pruneDeliveriesBatch } from "../../db/queries/webhookRetention";

/** How long the delivery log keeps attempts (the last attempt of an undelivered event stays). */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;

/**
 * The delivery log's retention, part of the settle job: deletes the attempts older than 30 days
 * in batches of `batch`, at most `maxBatches` a run (the rest waits for the next run, so one run
 * never holds the write lock for long). Idempotent and safe twice at once: each batch is one
 * DELETE of rows that qualify at that moment.
 */
export async function pruneDeliveryLog(db: Db, now: number, opts: { batch?: number; maxBatches?: number } = {}): Promise<{ prunedDeliveries: number }> {
  const batch = opts.batch ?? 1000;
  const cutoff = now - DELIVERY_RETENTION_MS;
  let pruned = 0;
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const n = await pruneDeliveriesBatch(db, cutoff, batch);
    pruned += n;
    if (n < batch) break;
  }
  return { prunedDeliveries: pruned };
}
