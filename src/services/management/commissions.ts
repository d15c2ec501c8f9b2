import type { Db } from "../../db/client";
import { applyAction, vendorCommissions } from "../../db/queries/lifecycle";
import type { Actor } from "../../domain/audit";
import { canApply, type ManagerAction } from "../../domain/lifecycle";
import { commissionJson } from "../../http/api/present";

/**
 * A manager's approve or reject of commissions (API and dashboard alike): those of the vendor
 * (and of `programId` when given) in a status the action allows change, each with its
 * `commission.updated` event in the same batch; the rest are reported as unknown or invalid.
 */
export async function decideCommissions(
  db: Db,
  scope: { vendorId: string; programId?: string | undefined },
  ids: string[],
  action: ManagerAction,
  actor: Actor,
  now: number,
) {
  const rows = (await vendorCommissions(db, scope.vendorId, ids)).filter((r) => scope.programId === undefined || r.c.programId === scope.programId);
  const found = new Set(rows.map((r) => r.c.id));
  const invalid = rows.filter((r) => !canApply(action, r.c.status)).map((r) => ({ id: r.c.id, status: r.c.status }));
  const updated = await applyAction(db, rows.filter((r) => canApply(action, r.c.status)), action, now, (c, to) => ({
    vendorId: scope.vendorId, programId: c.programId, type: "commission.updated", action: `commission.${action}`, actor,
    object: { type: "commission", id: c.id }, changes: { status: [c.status, to] }, data: commissionJson({ ...c, status: to, updatedAt: now }),
  }));
  return { updated, notFound: ids.filter((id) => !found.has(id)), invalid };
}
