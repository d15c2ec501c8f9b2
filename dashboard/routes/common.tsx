import type { Context } from "hono";
import { renderSVG } from "uqr";
import type { LinkLine } from "../pages/manager";
import { Fmt } from "../format";
import { Layout, type Column, type Period } from "../ui";
import { dayNumber, parseIsoDay } from "../../src/domain/dates";
import { isoFromDay, utcDay } from "../../src/domain/reporting";
import { csvResponse, csvStream, numericCell, toCsv, type CsvCell } from "../../src/http/csv";
import type { allLinks } from "./managerData";

export const MAX_DAYS = 731;

export const fmtFor = (c: Context, currency: string) => Fmt.for(c.req.header("accept-language"), currency);

/**
 * The report period from `?days=` (a preset) or `?from=&to=` (custom), default the last 30 days.
 * A custom range that cannot be shown (reversed, too long, not a real day) is a `problem` the
 * page answers with a 400 that says what to change, never silently the last 30 days.
 */
export function periodOf(c: Context, now: number): Period & { fromDay: number; toDay: number; problem?: string } {
  const today = utcDay(now);
  const days = c.req.query("days");
  const rawFrom = c.req.query("from");
  const rawTo = c.req.query("to");
  const from = dayOf(rawFrom, now);
  const to = dayOf(rawTo, now);
  if ((days === "custom" || !days) && (rawFrom || rawTo)) {
    const problem =
      (rawFrom && from === null) || (rawTo && to === null) ? "Dates must be real calendar days (YYYY-MM-DD) between 2000-01-01 and 100 years from now."
      : from === null || to === null ? "A custom period needs both a From and a To day."
      : from > to ? `The period is reversed: From (${rawFrom}) is after To (${rawTo}). Pick a From day on or before the To day.`
      : to - from >= MAX_DAYS ? `A period is at most ${MAX_DAYS} days; this one has ${to - from + 1}.`
      : null;
    if (problem) return { fromDay: today - 29, toDay: today, from: isoFromDay(today - 29), to: isoFromDay(today), days: 30, preset: "30", problem };
  }
  if ((days === "custom" || !days) && from !== null && to !== null && from <= to && to - from < MAX_DAYS) {
    return { fromDay: from, toDay: to, from: isoFromDay(from), to: isoFromDay(to), days: to - from + 1, preset: "custom" };
  }
  const n = ["7", "30", "90", "365"].includes(days ?? "") ? Number(days) : 30;
  return { fromDay: today - n + 1, toDay: today, from: isoFromDay(today - n + 1), to: isoFromDay(today), days: n, preset: String(n) };
}

/** A real calendar day in range (domain/dates) as a day number, else null. */
function dayOf(raw: string | undefined, now: number): number | null {
  const r = parseIsoDay(raw ?? "", now);
  return r.ok ? dayNumber(r.ms) : null;
}

/**
 * A `YYYY-MM-DD` filter as its UTC midnight: undefined when absent, null when it is not a real
 * day between 2000-01-01 and 100 years from now (the page then answers badRequestPage).
 */
export function dayQuery(c: Context, name: string, now: number): number | undefined | null {
  const raw = c.req.query(name);
  if (!raw) return undefined;
  const r = parseIsoDay(raw, now);
  return r.ok ? r.ms : null;
}

export function badRequestPage(c: Context, area: "app" | "portal", message: string) {
  pageHeaders(c);
  return c.html(
    <Layout title="Bad request" area={area} nav={[]} current="" csrf={null}>
      <div class="panel empty">
        <strong>{message}</strong>
        <p>Go back to <a href={`/${area}`}>{area === "app" ? "the dashboard" : "your portal"}</a>.</p>
      </div>
    </Layout>,
    400,
  );
}

/** The same period just before, for trends on KPI tiles. */
export const previousPeriod = (p: { fromDay: number; toDay: number }) => ({ fromDay: p.fromDay - (p.toDay - p.fromDay + 1), toDay: p.fromDay - 1 });

export const trend = (now: number, before: number) => (before > 0 ? (now - before) / before : null);

const csvRow = <T,>(cols: Column<T>[], r: T): CsvCell[] => cols.map((c) => (c.num ? numericCell(c.value(r)) : c.value(r)));

/** A table's rows as CSV (the `?format=csv&table=` form of a page); `num` columns stay numbers. */
export function tableCsv<T>(columns: Column<T>[], rows: T[], filename: string): Response {
  const cols = columns.filter((c) => !c.noCsv);
  return csvResponse(toCsv(cols.map((c) => c.label), rows.map((r) => csvRow(cols, r))), filename);
}

/** Pages of rows turned into table lines, page by page (a lookup per page, not per row). */
export async function* mapPages<T, U>(pages: AsyncIterable<T[]>, f: (rows: T[]) => U[] | Promise<U[]>): AsyncGenerator<U[]> {
  for await (const rows of pages) yield await f(rows);
}

/**
 * The CSV of a paged table: every row its filter matches, page after page (not the page on
 * screen), streamed. `pages` yields the table's rows as the page builds them.
 */
export function pagedTableCsv<T>(columns: Column<T>[], pages: AsyncIterable<T[]>, filename: string): Response {
  const cols = columns.filter((c) => !c.noCsv);
  async function* cells() {
    for await (const rows of pages) yield rows.map((r) => csvRow(cols, r));
  }
  return csvStream(cols.map((c) => c.label), cells(), filename);
}

export const wantsCsv = (c: Context, table: string) => c.req.query("format") === "csv" && (c.req.query("table") ?? "") === table;

/** Query string of the current request plus changes, for CSV and pager links. */
export function withQuery(c: Context, changes: Record<string, string | null>): string {
  const url = new URL(c.req.url);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/**
 * Caching of every dashboard page: personal, never stored. (Their security headers, CSP and the
 * like, come from the securityHeaders middleware, for every HTML response of the app.)
 */
export function pageHeaders(c: Context) {
  c.header("cache-control", "no-store");
  c.header("vary", "cookie, accept-language");
}

export function notFoundPage(c: Context, area: "app" | "portal") {
  pageHeaders(c);
  return c.html(
    <Layout title="Not found" area={area} nav={[]} current="" csrf={null}>
      <div class="panel empty">
        <strong>This page does not exist, or it is not yours to see.</strong>
        <p>
          Go back to <a href={`/${area}`}>{area === "app" ? "the dashboard" : "your portal"}</a>.
        </p>
      </div>
    </Layout>,
    404,
  );
}

/** A link as the link tables show it: with its tracking URL and its partner's name. */
export function linkLine(l: Awaited<ReturnType<typeof allLinks>>[number], publicUrl: string, partner: string): LinkLine {
  return { ...l, url: `${publicUrl}/${l.slug}`, partner };
}

/** The daily report table (CSV of the overview, a partner, the portal). */
export function dayColumns(fmt: { plain: (n: bigint) => string }): Column<{ key: string | null; clicks: number; uniqueClicks: number; botClicks: number; conversions: number; revenue: bigint; commission: bigint }>[] {
  return [
    { label: "day", value: (r) => r.key }, { label: "clicks", value: (r) => r.clicks }, { label: "uniqueClicks", value: (r) => r.uniqueClicks },
    { label: "botClicks", value: (r) => r.botClicks }, { label: "conversions", value: (r) => r.conversions },
    { label: "revenue", value: (r) => fmt.plain(r.revenue), num: true }, { label: "commission", value: (r) => fmt.plain(r.commission), num: true },
  ];
}

/** A tracking URL as a QR code (SVG), cached privately; its own CSP since it is opened directly. */
export function qrResponse(url: string): Response {
  return new Response(renderSVG(url, { border: 2 }), {
    headers: { "content-type": "image/svg+xml; charset=utf-8", "cache-control": "private, max-age=86400", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" },
  });
}
