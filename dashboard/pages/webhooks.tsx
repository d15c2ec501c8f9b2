import type { Column } from "../ui";
import type { DeliveryRow, EndpointRow } from "../../src/db/queries/webhooks";

const time = (fmtTime: (ms: number) => string, ms: number | null) => (ms === null ? "–" : fmtTime(ms));

/** The endpoints table: where, what, and whether it is on (and why not). */
export function endpointColumns(base: string, programName: (id: string | null) => string): Column<EndpointRow>[] {
  return [
    { label: "URL", value: (e) => e.url, cell: (e) => <a href={`${base}/webhooks/${e.id}`} class="mono">{e.url}</a> },
    { label: "Events", value: (e) => e.events.join(" "), cell: (e) => <span class="small">{e.events.join(", ")}</span> },
    { label: "Program", value: (e) => programName(e.programId) },
    {
      label: "State", value: (e) => (e.enabled ? "enabled" : `disabled (${e.disabledReason ?? "manual"})`),
      cell: (e) => (e.enabled ? <span class="badge s-approved">enabled</span> : <span><span class="badge s-rejected">disabled</span> {e.disabledReason === "failing" ? "every attempt failed for 5 days" : "turned off"}</span>),
    },
  ];
}

/** The delivery log: one row per attempt, with the answer's first bytes. */
export function deliveryColumns(fmtTime: (ms: number) => string): Column<DeliveryRow>[] {
  return [
    { label: "When (UTC)", value: (d) => (d.at === null ? null : new Date(d.at).toISOString()), cell: (d) => time(fmtTime, d.at ?? null) },
    { label: "Event", value: (d) => d.eventType, cell: (d) => <span><code>{d.eventType}</code> <span class="small muted mono">{d.eventId}</span></span> },
    { label: "Attempt", value: (d) => d.attempt, num: true },
    { label: "Status", value: (d) => d.status, cell: (d) => <span class={`badge s-${d.status === "succeeded" ? "approved" : d.status === "failed" ? "rejected" : "pending"}`}>{d.status}</span> },
    { label: "HTTP", value: (d) => d.statusCode, num: true },
    { label: "Time (ms)", value: (d) => d.durationMs, num: true },
    { label: "Error", value: (d) => d.error },
    { label: "Response", value: (d) => d.responseExcerpt, cell: (d) => <code class="small">{(d.responseExcerpt ?? "").slice(0, 200)}</code> },
    { label: "Next attempt", value: (d) => { const n = d.status === "pending" ? d.dueAt : d.nextAttemptAt; return n === null ? null : new Date(n).toISOString(); }, cell: (d) => time(fmtTime, d.status === "pending" ? d.dueAt : d.nextAttemptAt) },
  ];
}
