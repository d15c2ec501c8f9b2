import type { Column } from "../ui";

/** One audit entry as the page and its CSV show it. */
export interface AuditLine {
  at: number;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  changes: Record<string, [unknown, unknown]>;
}

const shown = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** `field: before → after; …`, the same text on the page and in the CSV. */
export const changesText = (changes: AuditLine["changes"]) =>
  Object.entries(changes).map(([field, [before, after]]) => `${field}: ${shown(before)} → ${shown(after)}`).join("; ");

export function auditColumns(fmtTime: (ms: number) => string): Column<AuditLine>[] {
  return [
    { label: "When (UTC)", value: (r) => new Date(r.at).toISOString(), cell: (r) => fmtTime(r.at) },
    { label: "Who", value: (r) => r.actor },
    { label: "Action", value: (r) => r.action, cell: (r) => <code>{r.action}</code> },
    { label: "Object", value: (r) => `${r.objectType} ${r.objectId}`, cell: (r) => <span>{r.objectType} <code>{r.objectId}</code></span> },
    { label: "Changes", value: (r) => changesText(r.changes) },
  ];
}
