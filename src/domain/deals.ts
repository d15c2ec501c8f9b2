// The rules of deal registration, in one place: when a new deal conflicts with what the program
// already knows, and which status changes a manager may make (what an account is: accountKey.ts).
import { DAY_MS } from "./dates";

export const DEAL_STATUSES = ["submitted", "conflict", "approved", "rejected", "won", "lost", "expired"] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
export type ConflictKind = "registered_by_other" | "existing_customer";

/** Deals that hold an account: submitted, or approved and still protected. */
export const isOpenDeal = (d: { status: DealStatus; protectedUntil: number | null }, now: number): boolean =>
  d.status === "submitted" || (d.status === "approved" && d.protectedUntil !== null && d.protectedUntil > now);

/** A won deal makes its account a customer for this long. */
export const CUSTOMER_MEMORY_MS = 365 * DAY_MS;

export interface RegistrationFacts {
  partnerId: string;
  /** open deals of the account in the program, any partner */
  openDeals: { id: string; partnerId: string }[];
  /** the newest deal of the account won in the last 365 days, if any */
  wonDealId: string | null;
  /** an attributed conversion whose customerId is the account key exists */
  customerConversion: boolean;
}

export type RegistrationDecision =
  | { kind: "duplicate" }
  | { kind: "submitted" }
  | { kind: "conflict"; conflict: ConflictKind; withDealId: string | null };

/**
 * The conflict rule: the partner's own open deal of the account refuses the registration; another
 * partner's open deal, then a recent won deal or a customer conversion, make it a conflict the
 * manager resolves. `withDealId` is for the manager only.
 */
export function decideRegistration(f: RegistrationFacts): RegistrationDecision {
  if (f.openDeals.some((d) => d.partnerId === f.partnerId)) return { kind: "duplicate" };
  const other = f.openDeals[0];
  if (other) return { kind: "conflict", conflict: "registered_by_other", withDealId: other.id };
  if (f.wonDealId || f.customerConversion) return { kind: "conflict", conflict: "existing_customer", withDealId: f.wonDealId };
  return { kind: "submitted" };
}

export type DealAction = "approve" | "reject" | "won" | "lost";

const ALLOWED: Record<DealAction, readonly DealStatus[]> = {
  approve: ["submitted", "conflict"],
  reject: ["submitted", "conflict", "approved"],
  won: ["approved"],
  lost: ["approved"],
};
const TARGET: Record<DealAction, DealStatus> = { approve: "approved", reject: "rejected", won: "won", lost: "lost" };

/** The statuses an action may start from (any other transition is a 409). */
export const allowedFrom = (action: DealAction): readonly DealStatus[] => ALLOWED[action];
export const targetOf = (action: DealAction): DealStatus => TARGET[action];
export const canTransition = (from: DealStatus, action: DealAction): boolean => ALLOWED[action].includes(from);

/** An approved deal protects its account this long from approval. */
export const protectionUntil = (now: number, dealProtectionDays: number): number => now + dealProtectionDays * DAY_MS;

export interface PipelineInput {
  /** deals registered in the period, by their current status */
  registered: { status: DealStatus; value: number | null; wonAmount: number | null }[];
  /** deals closed (won or lost) in the period */
  closed: { status: DealStatus; wonAmount: number | null; createdAt: number; closedAt: number | null }[];
}

/** A ratio as a short decimal string ("0.25", "1", "0.3333"). */
export function ratioString(numerator: number, denominator: number): string {
  return (Math.round((numerator / denominator) * 10_000) / 10_000).toString();
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The pipeline: counts and values of the period's registrations by current status (won deals
 * count their won amount, others their registered value), and over the deals closed in the
 * period the win rate won ÷ (won + lost), the median days to close and the won amounts.
 */
export function summarizePipeline(input: PipelineInput) {
  const byStatus = DEAL_STATUSES.map((status) => {
    const of = input.registered.filter((d) => d.status === status);
    const value = of.reduce((sum, d) => sum + ((status === "won" ? d.wonAmount : d.value) ?? 0), 0);
    return { status, count: of.length, value };
  });
  const won = input.closed.filter((d) => d.status === "won");
  const lost = input.closed.filter((d) => d.status === "lost");
  const days = input.closed.filter((d) => d.closedAt !== null).map((d) => Math.max(0, d.closedAt! - d.createdAt) / DAY_MS);
  const med = median(days);
  return {
    byStatus,
    winRate: won.length + lost.length === 0 ? null : ratioString(won.length, won.length + lost.length),
    medianDaysToClose: med === null ? null : Math.round(med * 10) / 10,
    wonValue: won.reduce((sum, d) => sum + (d.wonAmount ?? 0), 0),
  };
}
