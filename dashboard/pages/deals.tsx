import type { Column } from "../ui";
import { Badge } from "../ui";
import type { Fmt } from "../format";
import type { DealRow } from "../../src/db/queries/deals";
import type { AttemptRow, LeadRow } from "../../src/db/queries/leads";

export const DEAL_FILTERS = [["", "All"], ["submitted", "Submitted"], ["conflict", "Conflicts"], ["approved", "Approved"], ["won", "Won"], ["lost", "Lost"], ["rejected", "Rejected"], ["expired", "Expired"]] as const;
export const LEAD_FILTERS = [["", "All"], ["offered", "Offered"], ["accepted", "Accepted"], ["unassigned", "Unassigned"], ["converted", "Converted"]] as const;

const money = (fmt: Fmt, v: number | null) => (v === null ? "–" : fmt.m(v));

/** A deal line; `partner` is the holder's name (manager pages only). */
export type DealLine = DealRow & { partner?: string };

export function dealColumns(fmt: Fmt, opts: { partner: boolean }): Column<DealLine>[] {
  const cols: Column<DealLine>[] = [
    { label: "Registered", value: (d) => new Date(d.createdAt).toISOString(), cell: (d) => fmt.day(d.createdAt) },
    { label: "Company", value: (d) => d.company },
    { label: "Account", value: (d) => d.account, cell: (d) => <span class="mono">{d.account}</span> },
    { label: "Value", value: (d) => (d.value === null ? null : fmt.plain(d.value)), cell: (d) => money(fmt, d.status === "won" ? d.wonAmount : d.value), num: true },
    { label: "Status", value: (d) => d.status, cell: (d) => <Badge status={d.status} /> },
    { label: "Protected until", value: (d) => (d.protectedUntil ? new Date(d.protectedUntil).toISOString() : null), cell: (d) => (d.protectedUntil && (d.status === "approved" || d.status === "submitted") ? fmt.day(d.protectedUntil) : "–") },
  ];
  if (opts.partner) cols.splice(1, 0, { label: "Partner", value: (d) => d.partner ?? "" });
  return cols;
}

/** "3 h 20 min left" / "overdue": what a partner has to answer an offer. */
export function timeLeft(respondBy: number | null, now: number): string {
  if (respondBy === null) return "–";
  const ms = respondBy - now;
  if (ms <= 0) return "time is up";
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return h >= 48 ? `${Math.floor(h / 24)} days left` : `${h} h ${m} min left`;
}

export function AttemptTrail({ attempts, names, fmt }: { attempts: AttemptRow[]; names: Map<string, string>; fmt: Fmt }) {
  if (attempts.length === 0) return <span class="muted">not offered</span>;
  return (
    <ol class="small">
      {attempts.map((a) => <li>{names.get(a.partnerId) ?? a.partnerId}: {a.outcome}{a.manual ? " (assigned)" : ""}, {fmt.time(a.offeredAt)}{a.reason ? ` · ${a.reason}` : ""}</li>)}
    </ol>
  );
}

export type LeadLine = LeadRow & { partner: string | null; attempts: AttemptRow[] };
