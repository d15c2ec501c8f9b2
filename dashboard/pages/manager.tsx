import type { FraudFlag } from "../../src/domain/fraud";
import type { Child } from "hono/jsx";
import type { Fmt } from "../format";
import { Badge, CopyField, Csrf, type Column, DataTable, Empty } from "../ui";

/** Views of the manager dashboard. Handlers (dashboard/routes) load the data and pick the view. */

export const managerNav = (base: string) => [
  { id: "overview", label: "Overview", href: base },
  { id: "journey", label: "Journey & KPIs", href: `${base}/journey` },
  { id: "partners", label: "Partners", href: `${base}/partners` },
  { id: "applications", label: "Applications", href: `${base}/applications` },
  { id: "agreement", label: "Agreement", href: `${base}/agreement` },
  { id: "announcements", label: "Announcements", href: `${base}/announcements` },
  { id: "links", label: "Links", href: `${base}/links` },
  { id: "commissions", label: "Commissions", href: `${base}/commissions` },
  { id: "conversions", label: "Conversions", href: `${base}/conversions` },
  { id: "payouts", label: "Payouts", href: `${base}/payouts` },
  { id: "outbox", label: "Outbox", href: `${base}/outbox` },
  { id: "integrations", label: "Integrations", href: `${base}/integrations` },
  { id: "rules", label: "Rules & tiers", href: `${base}/rules` },
  { id: "keys", label: "Keys", href: `${base}/keys` },
  { id: "deals", label: "Deals", href: `${base}/deals` },
  { id: "leads", label: "Leads", href: `${base}/leads` },
  { id: "settings", label: "Settings", href: `${base}/settings` },
  { id: "audit", label: "Audit log", href: `${base}/audit` },
  { id: "webhooks", label: "Webhooks", href: `${base}/webhooks` },
];

export interface PartnerLine {
  id: string;
  name: string;
  email: string;
  status: string;
  tier: string;
  /** journey stage, computed (domain/stages.ts) */
  stage?: string;
  coupon: string | null;
  clicks: number;
  conversions: number;
  /** money sums, exact */
  revenue: bigint;
  commission: bigint;
  epc: bigint;
}

export function partnerColumns(fmt: Fmt, base: string): Column<PartnerLine>[] {
  return [
    { label: "Partner", value: (p) => p.name, cell: (p) => <a href={`${base}/partners/${p.id}`}>{p.name}</a> },
    { label: "Email", value: (p) => p.email, hideSm: true },
    { label: "Tier", value: (p) => p.tier },
    { label: "Status", value: (p) => p.status, cell: (p) => <Badge status={p.status} />, hideSm: true },
    { label: "Stage", value: (p) => p.stage ?? null },
    { label: "Coupon", value: (p) => p.coupon, hideSm: true },
    { label: "Clicks", value: (p) => p.clicks, cell: (p) => fmt.n(p.clicks), num: true },
    { label: "Conversions", value: (p) => p.conversions, cell: (p) => fmt.n(p.conversions), num: true },
    { label: "Revenue", value: (p) => fmt.plain(p.revenue), cell: (p) => fmt.m(p.revenue), num: true },
    { label: "Commission", value: (p) => fmt.plain(p.commission), cell: (p) => fmt.m(p.commission), num: true, hideSm: true },
    { label: "EPC", value: (p) => fmt.plain(p.epc), cell: (p) => fmt.m(p.epc), num: true, hideSm: true },
  ];
}

export function PartnerCreateForm({ base, csrf, values = {} }: { base: string; csrf: string; values?: Record<string, string> }) {
  return (
    <form method="post" action={`${base}/partners`} class="form">
      <Csrf token={csrf} />
      <div class="field"><label for="p-name">Name</label><input id="p-name" name="name" required maxlength={200} autocomplete="off" value={values["name"] ?? ""} /></div>
      <div class="field"><label for="p-email">Email</label><input id="p-email" name="email" type="email" required maxlength={320} autocomplete="off" value={values["email"] ?? ""} /></div>
      <div class="field"><label for="p-coupon">Coupon (optional)</label><input id="p-coupon" name="coupon" pattern="[A-Za-z0-9_\-]{2,64}" maxlength={64} aria-describedby="p-coupon-h" value={values["coupon"] ?? ""} /><span class="hint" id="p-coupon-h">Orders with this code are credited to the partner.</span></div>
      <button>Add partner</button>
    </form>
  );
}

export interface LinkLine {
  id: string;
  slug: string;
  url: string;
  destination: string;
  partnerId: string;
  partner: string;
  clicks: number;
  botClicks: number;
  allowDeepLinks: boolean;
  archived: boolean;
  createdAt: number;
}

export function linkColumns(fmt: Fmt, base: string, opts: { partner: boolean; qrBase: string; manage?: boolean }): Column<LinkLine>[] {
  const cols: Column<LinkLine>[] = [
    { label: "Link", value: (l) => l.url, cell: (l) => <CopyField id={`u-${l.id}`} value={l.url} label={`Tracking URL ${l.slug}`} /> },
    { label: "Destination", value: (l) => l.destination, cell: (l) => <span class="mono">{l.destination}</span>, hideSm: true },
  ];
  if (opts.partner) cols.push({ label: "Partner", value: (l) => l.partner, cell: (l) => <a href={`${base}/partners/${l.partnerId}`}>{l.partner}</a> });
  cols.push(
    { label: "Clicks", value: (l) => l.clicks, cell: (l) => fmt.n(l.clicks), num: true },
    { label: "Bot clicks", value: (l) => l.botClicks, cell: (l) => fmt.n(l.botClicks), num: true, hideSm: true },
    { label: "Status", value: (l) => (l.archived ? "archived" : "active"), cell: (l) => (l.archived ? <Badge status="archived" /> : <span class="small">active{l.allowDeepLinks ? ", deep links" : ""}</span>), hideSm: true },
    { label: "QR", value: () => null, noCsv: true, cell: (l) => <a href={`${opts.qrBase}/${l.id}/qr.svg`} aria-label={`QR code for ${l.slug}`}>QR</a> },
  );
  // the manager's link page: full URL, edit, archive, click log
  if (opts.manage) cols.unshift({ label: "Slug", value: (l) => l.slug, cell: (l) => <a href={`${base}/links/${l.id}`} aria-label={`Manage link ${l.slug}`}>{l.slug}</a> });
  return cols;
}

export function LinkCreateForm(p: { action: string; csrf: string; partners?: { id: string; name: string }[]; selected?: string | undefined; domains: string[]; values?: Record<string, string> }) {
  const v = p.values ?? {};
  return (
    <form method="post" action={p.action} class="form">
      <Csrf token={p.csrf} />
      {p.partners ? (
        <div class="field">
          <label for="l-partner">Partner</label>
          <select id="l-partner" name="partnerId" required>
            {p.partners.map((x) => <option value={x.id} selected={x.id === p.selected}>{x.name}</option>)}
          </select>
        </div>
      ) : null}
      <div class="field">
        <label for="l-dest">Destination URL</label>
        <input id="l-dest" name="destination" type="url" required maxlength={2048} value={v["destination"] ?? ""} placeholder={`https://${p.domains[0]?.replace(/^\./, "") ?? "shop.example.com"}/`} aria-describedby="l-dest-h" />
        <span class="hint" id="l-dest-h">Allowed hosts: {p.domains.join(", ")}</span>
      </div>
      <div class="field">
        <label for="l-slug">Slug (optional)</label>
        <input id="l-slug" name="slug" pattern="[A-Za-z0-9_\-]{3,64}" maxlength={64} aria-describedby="l-slug-h" value={v["slug"] ?? ""} />
        <span class="hint" id="l-slug-h">3–64 letters, digits, _ or -. Left empty, one is generated.</span>
      </div>
      {p.partners ? (
        <label class="check"><input type="checkbox" name="allowDeepLinks" value="1" checked={v["allowDeepLinks"] === "1"} /> Allow deep links (?to=)</label>
      ) : null}
      <button>Create link</button>
    </form>
  );
}

export interface CommissionLine {
  id: string;
  conversionId: string;
  partnerId: string;
  partner: string;
  amount: number;
  status: string;
  createdAt: number;
  availableAt: number;
  source?: string;
  flags?: readonly FraudFlag[] | null;
  /** the partner's view names the sale, not our ids: order, link slug */
  orderId?: string;
  slug?: string | null;
}

export function commissionColumns(fmt: Fmt, base: string | null, selectable: boolean): Column<CommissionLine>[] {
  const cols: Column<CommissionLine>[] = [];
  if (selectable) {
    cols.push({
      label: "Select", value: () => null, noCsv: true,
      cell: (r) => (r.status === "hold" || r.status === "pending" ? <input type="checkbox" name="ids" value={r.id} form="bulk" aria-label={`Select commission of ${r.partner}, ${fmt.m(r.amount)}`} /> : null),
    });
  }
  cols.push(
    { label: "Created", value: (r) => new Date(r.createdAt).toISOString(), cell: (r) => fmt.time(r.createdAt) },
    base
      ? { label: "Partner", value: (r) => r.partner, cell: (r) => <a href={`${base}/partners/${r.partnerId}`}>{r.partner}</a> }
      : { label: "Order", value: (r) => r.orderId ?? r.conversionId, cell: (r) => <span class="mono">{r.orderId ?? r.conversionId}</span> },
  );
  if (!base) cols.push({ label: "Link", value: (r) => (r.slug ? `/${r.slug}` : null), cell: (r) => (r.slug ? <span class="mono">/{r.slug}</span> : <span class="small muted">coupon or returning customer</span>) });
  cols.push(
    { label: "Amount", value: (r) => fmt.plain(r.amount), cell: (r) => fmt.m(r.amount), num: true },
    { label: "Status", value: (r) => r.status, cell: (r) => <Badge status={r.status} /> },
    // a held commission has no date yet: its refund window starts when a manager approves it
    { label: "Available", value: (r) => (r.status === "hold" ? null : new Date(r.availableAt).toISOString()), cell: (r) => (r.status === "hold" ? <span class="small muted">after review</span> : fmt.day(r.availableAt)) },
  );
  if (base) {
    cols.push(
      { label: "Signals", value: (r) => (r.flags ?? []).join(" "), cell: (r) => (r.flags?.length ? r.flags.map((f) => <span class="signal">{FLAG_LABELS[f]}</span>) : null) },
      { label: "Why", value: (r) => r.conversionId, noCsv: false, cell: (r) => <a href={`${base}/conversions/${r.conversionId}`}>Explain</a> },
    );
  }
  return cols;
}

/** Short names of the fraud signals, for the queue and its filter. */
export const FLAG_LABELS: Record<FraudFlag, string> = { self_referral: "Self-referral", click_too_fast: "Too fast", click_flood: "Click flood" };

/** Links that narrow the queue to commissions held for a fraud signal. */
export function FlagFilter(props: { href: (flag: string) => string; current: string }) {
  const options: [string, string][] = [["", "Any or none"], ["any", "Any signal"], ...Object.entries(FLAG_LABELS)];
  return (
    <nav class="filters" aria-label="Fraud signals">
      {options.map(([value, label]) => <a href={props.href(value)} aria-current={props.current === value ? "page" : undefined}>{label}</a>)}
    </nav>
  );
}

export const COMMISSION_FILTERS = [["hold", "Needs review"], ["pending", "Pending"], ["approved", "Approved"], ["paid", "Paid"], ["rejected", "Rejected"], ["reversed", "Reversed"], ["", "All"]] as const;

export function StatusFilter({ base, current, counts, filters, param = "status" }: { base: string; current: string; counts?: Record<string, number>; filters: readonly (readonly [string, string])[]; param?: string }) {
  return (
    <nav class="row" aria-label="Filter by status">
      {filters.map(([v, l]) => (
        <a class={`btn small ${current === v ? "" : "secondary"}`} href={v ? `${base}?${param}=${v}` : `${base}?${param}=all`} aria-current={current === v ? "page" : undefined}>
          {l}{counts && v && counts[v] !== undefined ? ` (${counts[v]})` : ""}
        </a>
      ))}
    </nav>
  );
}

export function BulkActions({ action, csrf, show }: { action: string; csrf: string; show: boolean }) {
  if (!show) return <span />;
  return (
    <form method="post" action={action} id="bulk" class="row">
      <Csrf token={csrf} />
      <label class="check"><input type="checkbox" data-all="ids" aria-label="Select all on this page" /> All</label>
      <button name="action" value="approve">Approve selected</button>
      <button name="action" value="reject" class="danger">Reject selected</button>
    </form>
  );
}

export function Pager({ next }: { next: string | null }) {
  return next ? <div class="pager"><a class="btn secondary small" href={next}>Next page →</a></div> : null;
}

export interface ConversionLine {
  id: string;
  occurredAt: number;
  orderId: string;
  event: string;
  source: string;
  amount: number;
  refunded: number;
  status: string;
  reason: string | null;
  partnerId: string | null;
  partner: string | null;
  commission: number | null;
  commissionStatus: string | null;
}

export function conversionColumns(fmt: Fmt, base: string): Column<ConversionLine>[] {
  return [
    { label: "Occurred", value: (r) => new Date(r.occurredAt).toISOString(), cell: (r) => <a href={`${base}/conversions/${r.id}`}>{fmt.time(r.occurredAt)}</a> },
    { label: "Order", value: (r) => r.orderId, cell: (r) => <span class="mono">{r.orderId}</span> },
    { label: "Event", value: (r) => r.event, hideSm: true },
    { label: "Source", value: (r) => r.source, hideSm: true },
    { label: "Amount", value: (r) => fmt.plain(r.amount), cell: (r) => fmt.m(r.amount), num: true },
    { label: "Refunded", value: (r) => fmt.plain(r.refunded), cell: (r) => (r.refunded ? fmt.m(r.refunded) : "–"), num: true, hideSm: true },
    { label: "Attribution", value: (r) => r.reason ?? r.status, cell: (r) => <Badge status={r.status} /> },
    { label: "Partner", value: (r) => r.partner, cell: (r) => (r.partnerId ? <a href={`${base}/partners/${r.partnerId}`}>{r.partner}</a> : <span class="small muted">{r.reason}</span>) },
    { label: "Commission", value: (r) => (r.commission === null ? null : fmt.plain(r.commission)), cell: (r) => (r.commission === null ? "–" : <>{fmt.m(r.commission)} <Badge status={r.commissionStatus ?? ""} /></>), num: true },
  ];
}

export interface PayoutLine {
  id: string;
  batchId: string;
  partnerId: string;
  partner: string;
  email: string;
  /** a sum of commissions: exact */
  amount: bigint;
  count: number;
  status: string;
  createdAt: number;
  paidAt: number | null;
}

export function payoutColumns(fmt: Fmt, base: string, csrf: string | null): Column<PayoutLine>[] {
  const cols: Column<PayoutLine>[] = [
    { label: "Created", value: (r) => new Date(r.createdAt).toISOString(), cell: (r) => <a href={`${base}/payouts/${r.id}`}>{fmt.time(r.createdAt)}</a> },
    { label: "Partner", value: (r) => r.partner, cell: (r) => <a href={`${base}/partners/${r.partnerId}`}>{r.partner}</a> },
    { label: "Email", value: (r) => r.email, hideSm: true },
    { label: "Amount", value: (r) => fmt.plain(r.amount), cell: (r) => fmt.m(r.amount), num: true },
    { label: "Commissions", value: (r) => r.count, num: true, hideSm: true },
    { label: "Status", value: (r) => r.status, cell: (r) => <Badge status={r.status} payout /> },
    { label: "Paid", value: (r) => (r.paidAt ? new Date(r.paidAt).toISOString() : null), cell: (r) => (r.paidAt ? fmt.day(r.paidAt) : "–"), hideSm: true },
  ];
  if (csrf) {
    cols.push({
      label: "Actions", value: () => null, noCsv: true,
      cell: (r) => (
        <span class="row">
          <a class="small" href={`${base}/payouts/${r.id}.csv`} download>CSV</a>
          {r.status === "pending" ? (
            <form method="post" action={`${base}/payouts/${r.id}/paid`} class="inline" data-confirm={`Mark ${fmt.m(r.amount)} to ${r.partner} as paid?`}>
              <Csrf token={csrf} />
              <button class="small secondary">Mark paid</button>
            </form>
          ) : null}
        </span>
      ),
    });
  }
  return cols;
}

export function Facts({ items }: { items: [string, Child][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
    </dl>
  );
}

export { DataTable, Empty };
