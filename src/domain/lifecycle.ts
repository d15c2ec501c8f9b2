export type CommissionStatus = "hold" | "pending" | "approved" | "paid" | "reversed" | "rejected";

/**
 * The commission lifecycle:
 *   hold ──approve──▶ pending ──settle (availableAt passed)──▶ approved ──payout paid──▶ paid
 *   hold | pending ──reject──▶ rejected;  unpaid + full refund ──▶ reversed
 * Managers act with `approve` and `reject`; everything else is done by settle, payouts and refunds.
 */
export type ManagerAction = "approve" | "reject";

export const ACTION_FROM: Record<ManagerAction, readonly CommissionStatus[]> = {
  approve: ["hold"],
  reject: ["hold", "pending"],
};
export const ACTION_TO: Record<ManagerAction, CommissionStatus> = { approve: "pending", reject: "rejected" };

export function canApply(action: ManagerAction, status: CommissionStatus): boolean {
  return ACTION_FROM[action].includes(status);
}
