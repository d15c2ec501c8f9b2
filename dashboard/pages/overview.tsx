import type { Child } from "hono/jsx";
import type { ReportLine } from "../../src/services/prm/report";
import { TimeSeriesChart, type DayPoint } from "../chart";
import type { Fmt } from "../format";
import { Kpis, Meter, PeriodPicker, type Period } from "../ui";

/** A report's totals (minor units), as `buildReport` computes them. */
export type Totals = Omit<ReportLine, "key">;

export interface TopItem {
  label: Child;
  sub?: string;
  clicks: number;
  conversions: number;
  revenue: bigint;
}

// A ratio for display: the float is fine here, the amounts themselves stay exact.
const trendOf = (now: number | bigint, before: number | bigint | undefined) =>
  before === undefined ? undefined : before > 0 ? Number(BigInt(now) - BigInt(before)) / Number(before) : null;

/** KPI tiles of a period, with the change against the period before. */
export function KpiTiles({ t, prev, fmt }: { t: Totals; prev?: Totals; fmt: Fmt }) {
  return (
    <Kpis
      fmt={fmt}
      items={[
        { label: "Clicks", value: fmt.n(t.clicks), trend: trendOf(t.clicks, prev?.clicks), note: `${fmt.count(t.botClicks, "bot click")} left out` },
        { label: "Unique clicks", value: fmt.n(t.uniqueClicks), trend: trendOf(t.uniqueClicks, prev?.uniqueClicks) },
        { label: "Conversions", value: fmt.n(t.conversions), trend: trendOf(t.conversions, prev?.conversions) },
        { label: "Conversion rate", value: fmt.percent(t.conversionRate), note: "conversions ÷ clicks" },
        { label: "Revenue", value: fmt.m(t.revenue), trend: trendOf(t.revenue, prev?.revenue) },
        { label: "Commission", value: fmt.m(t.commission), trend: trendOf(t.commission, prev?.commission) },
        { label: "EPC", value: fmt.m(t.epc), note: "commission per click" },
      ]}
    />
  );
}

export function TopList({ title, items: all, fmt, empty, csv }: { title: string; items: TopItem[]; fmt: Fmt; empty: string; csv?: string }) {
  const items = all.filter((i) => i.clicks > 0 || i.conversions > 0);
  const max = Math.max(...items.map((i) => Number(i.revenue)), 0);
  const maxClicks = Math.max(...items.map((i) => i.clicks), 0);
  return (
    <section class="panel">
      <div class="tools">
        <h2>{title}</h2>
        {csv && items.length ? <a class="small" href={csv} download>Export CSV</a> : null}
      </div>
      {items.length === 0 ? (
        <p class="muted small">{empty}</p>
      ) : (
        <ol class="top">
          {items.map((i) => (
            <li>
              <span>{i.label}</span>
              <span class="row">
                <strong>{fmt.m(i.revenue)}</strong>
                <Meter ratio={max > 0 ? Number(i.revenue) / max : maxClicks > 0 ? i.clicks / maxClicks : 0} label={`${fmt.m(i.revenue)} revenue`} />
              </span>
              <span class="sub">
                {fmt.count(i.clicks, "click")} · {fmt.count(i.conversions, "conversion")}{i.sub ? ` · ${i.sub}` : ""}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The chart panel with its period picker and the CSV of the daily numbers. */
export function ResultsChart({ points, fmt, period, action, csv, title }: { points: DayPoint[]; fmt: Fmt; period: Period; action: string; csv: string; title: string }) {
  const any = points.some((p) => p.clicks > 0 || p.conversions > 0);
  return (
    <section class="panel">
      <div class="tools">
        <h2>{title}</h2>
        <a class="small" href={csv} download>Export daily CSV</a>
      </div>
      <TimeSeriesChart points={points} fmt={fmt} title={`${title}, ${fmt.day(period.from)} to ${fmt.day(period.to)}`} />
      {any ? null : <p class="muted small">No clicks or conversions in this period yet. Pick a longer period, or share a tracked link and they will show here within seconds.</p>}
    </section>
  );
}

export { PeriodPicker };
