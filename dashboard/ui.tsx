import type { Child, PropsWithChildren } from "hono/jsx";
import { ASSETS } from "./assets";
import type { Fmt } from "./format";

export interface NavItem {
  href: string;
  label: string;
  id: string;
}

export interface LayoutProps {
  title: string;
  area: "app" | "portal";
  nav: NavItem[];
  current: string;
  csrf: string | null;
  who?: string;
  programs?: { id: string; name: string }[];
  programId?: string;
  flash?: { kind: "ok" | "err"; text: string } | null;
}

const Logo = () => (
  <svg viewBox="0 0 24 24" aria-hidden="true">
    <rect width="24" height="24" rx="6" fill="#1d4ed8" />
    <path d="M5 16l4-5 3 3 6-7" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round" />
  </svg>
);

/** The page frame: head, top bar with sign-out, tabs, flash message, main. */
export function Layout(p: PropsWithChildren<LayoutProps>) {
  const home = p.area === "app" ? "/app" : "/portal";
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${p.title} · afflux`}</title>
        <link rel="stylesheet" href={ASSETS.css.path} />
        <script src={ASSETS.js.path} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <div class="bar">
            <a class="brand" href={home}><Logo /> afflux <span class="muted small">{p.area === "app" ? "manager" : "partner portal"}</span></a>
            {p.programs && p.programs.length > 1 ? (
              <form method="get" action="/app" class="row">
                <label class="lbl" for="program-switch">Program</label>
                <select id="program-switch" name="program" data-submit="1">
                  {p.programs.map((pr) => <option value={pr.id} selected={pr.id === p.programId}>{pr.name}</option>)}
                </select>
                <noscript><button class="small secondary">Go</button></noscript>
              </form>
            ) : null}
            <div class="who">
              {p.who ? <span>{p.who}</span> : null}
              {p.csrf ? (
                <form method="post" action={`${home}/logout`} class="inline">
                  <input type="hidden" name="_csrf" value={p.csrf} />
                  <button class="small secondary">Sign out</button>
                </form>
              ) : null}
            </div>
          </div>
          {p.nav.length ? (
            <nav class="tabs" aria-label="Sections">
              {p.nav.map((n) => <a href={n.href} aria-current={n.id === p.current ? "page" : undefined}>{n.label}</a>)}
            </nav>
          ) : null}
        </header>
        <main id="main">
          {p.flash ? <div class={`flash ${p.flash.kind}`} role={p.flash.kind === "err" ? "alert" : "status"}>{p.flash.text}</div> : null}
          {p.children}
        </main>
      </body>
    </html>
  );
}

export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

export function Empty({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <div class="empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

/** What a status reads as: a word for people, never the stored value or a CSS class. */
const STATUS_WORDS: Record<string, string> = {
  hold: "Needs review", pending: "Pending", approved: "Approved", paid: "Paid", rejected: "Rejected", reversed: "Reversed",
  attributed: "Attributed", unattributed: "Unattributed", active: "Active", suspended: "Suspended", archived: "Archived",
};
export const statusWord = (status: string) => STATUS_WORDS[status] ?? (status.charAt(0).toUpperCase() + status.slice(1)).replaceAll("_", " ");

/**
 * A status badge. `payout` picks the payout colours: a pending payout waits for money (warning
 * colour), a pending commission only for its refund window. The text is always the word.
 */
export const Badge = ({ status, payout }: { status: string; payout?: boolean }) => (
  <span class={`badge s-${payout && status === "pending" ? "pending-p" : status}`}>{statusWord(status)}</span>
);

/** A read-only field with a copy button (the button needs the script; the field can be selected by hand). */
export function CopyField({ id, value, label }: { id: string; value: string; label: string }) {
  return (
    <div class="copy">
      <input id={id} value={value} readonly aria-label={label} />
      <button type="button" class="small secondary" data-copy={id}>Copy</button>
    </div>
  );
}

export interface Kpi {
  label: string;
  value: string;
  note?: string;
  trend?: number | null;
}

export function Kpis({ items, fmt }: { items: Kpi[]; fmt: Fmt }) {
  return (
    <section class="kpis" aria-label="Key figures">
      {items.map((k) => (
        <div class="kpi">
          <div class="l">{k.label}</div>
          <div class="v">{k.value}</div>
          {k.trend !== undefined && k.trend !== null ? (
            <div class={`d ${k.trend > 0 ? "up" : k.trend < 0 ? "down" : ""}`}>
              {k.trend > 0 ? "▲ " : k.trend < 0 ? "▼ " : ""}{fmt.percent(Math.abs(k.trend))} vs previous period
            </div>
          ) : k.note ? <div class="d">{k.note}</div> : null}
        </div>
      ))}
    </section>
  );
}

/** A tiny horizontal bar for "share of the top" columns (SVG: no inline styles, CSP-safe). */
export const Meter = ({ ratio, label }: { ratio: number; label: string }) => (
  <svg class="meter" viewBox="0 0 100 8" role="img" aria-label={label}>
    <rect class="tr" width="100" height="8" rx="4" />
    <rect class="fl" width={String(Math.max(0, Math.min(100, Math.round(ratio * 100))))} height="8" rx="4" />
  </svg>
);

export interface Column<T> {
  label: string;
  /** raw value for sorting and CSV */
  value: (row: T) => string | number | null;
  /** what the cell shows; the formatted value when absent */
  cell?: (row: T) => Child;
  num?: boolean;
  /** left out of the CSV (checkboxes, buttons) */
  noCsv?: boolean;
  hideSm?: boolean;
}

/** A sortable table with a CSV link; its empty state says what to do next. */
export function DataTable<T>(p: { columns: Column<T>[]; rows: T[]; csv?: string; caption: string; empty: Child; tools?: Child; id?: string }) {
  return (
    <div>
      <div class="tools">
        {p.tools ?? <span />}
        {p.csv && p.rows.length ? <a class="small" href={p.csv} download>Export CSV</a> : null}
      </div>
      {p.rows.length === 0 ? (
        p.empty
      ) : (
        <div class="tw">
          <table data-sortable="1" id={p.id}>
            <caption class="skip">{p.caption}</caption>
            <thead>
              <tr>
                {p.columns.map((c) => <th scope="col" class={[c.num ? "n" : "", c.hideSm ? "hide-sm" : ""].join(" ").trim() || undefined}>{c.label}</th>)}
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  {p.columns.map((c) => {
                    const v = c.value(r);
                    return (
                      <td class={[c.num ? "n" : "", c.hideSm ? "hide-sm" : ""].join(" ").trim() || undefined} data-v={v === null ? "" : String(v)}>
                        {c.cell ? c.cell(r) : v}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export interface Period {
  from: string;
  to: string;
  days: number;
  preset: string;
}

/** Period picker: presets plus a custom range; a plain GET form. */
export function PeriodPicker({ period, action }: { period: Period; action: string }) {
  return (
    <form method="get" action={action} class="row" aria-label="Period">
      <div class="field">
        <label for="period">Period</label>
        <select id="period" name="days" data-submit="1">
          {[["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"], ["365", "Last 12 months"], ["custom", "Custom range"]].map(([v, l]) => (
            <option value={v} selected={period.preset === v}>{l}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="from">From</label>
        <input type="date" id="from" name="from" value={period.from} />
      </div>
      <div class="field">
        <label for="to">To</label>
        <input type="date" id="to" name="to" value={period.to} />
      </div>
      <button class="secondary">Apply</button>
    </form>
  );
}
