import { sql } from "drizzle-orm";
import type { Db } from "../client";

/**
 * One bounded batch of the delivery log's retention: attempts made before `cutoff` that are
 * either a success or followed by a later attempt of the same event to the same target. The last
 * attempt of an event never delivered stays (it says why, and can be retried by hand), and a
 * pending attempt is never touched. Walks the (status, due_at) index (an attempt is made at or
 * after it is due) and probes the attempt index for a later attempt; no index of its own, so the
 * delivery path writes nothing more. Returns how many rows went.
 */
export async function pruneDeliveriesBatch(db: Db, cutoff: number, limit: number): Promise<number> {
  const old = sql`SELECT d.id FROM webhook_deliveries d
    WHERE d.status IN ('succeeded', 'failed') AND d.due_at < ${cutoff} AND coalesce(d.at, d.created_at) < ${cutoff}
      AND (d.status = 'succeeded' OR EXISTS (SELECT 1 FROM webhook_deliveries n WHERE n.target_id = d.target_id AND n.event_id = d.event_id AND n.attempt > d.attempt))
    LIMIT ${limit}`;
  // a read first: a run with nothing to prune takes no write lock
  const [any] = await db.all<{ id: string }>(sql`${old}`);
  if (!any) return 0;
  const rs = await db.run(sql`DELETE FROM webhook_deliveries WHERE id IN (${old})`);
  return rs.rowsAffected;
}
