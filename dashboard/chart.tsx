import type { Fmt } from "./format";

export interface DayPoint {
  day: string;
  clicks: number;
  conversions: number;
  /** minor units, exact (a sum) */
  revenue: bigint;
}

/**
 * The smallest 1, 2, 4 or 5 × 10^n at or above `max`: the axis shows it and its half, and both
 * stay round (2.5 would put 1.25 mid-axis, shown as "1.3K").
 */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 4, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const W = 720;
const LEFT = 56;
const RIGHT = 8;
const PANEL = 92;
const GAP = 26;
const TOP = 16;

const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Clicks, conversions and revenue per day as three stacked panels sharing one time axis,
 * drawn on the server as SVG: axes with round labels, a hover title per day, colours from CSS
 * variables so that light and dark mode both read well.
 */
export function TimeSeriesChart({ points, fmt, title }: { points: DayPoint[]; fmt: Fmt; title: string }) {
  const n = Math.max(points.length, 1);
  const plotW = W - LEFT - RIGHT;
  const step = plotW / n;
  const barW = Math.max(1, r1(step * 0.72));
  const H = TOP + 3 * PANEL + 2 * GAP + 24;
  const series = [
    { key: "clicks" as const, label: "Clicks", cls: "b1", max: niceMax(Math.max(...points.map((p) => p.clicks), 2)), f: (v: number) => fmt.n(v) },
    { key: "conversions" as const, label: "Conversions", cls: "b2", max: niceMax(Math.max(...points.map((p) => p.conversions), 2)), f: (v: number) => fmt.n(v) },
    { key: "revenue" as const, label: "Revenue", cls: "l3", max: niceMax(Math.max(...points.map((p) => Number(p.revenue)), 200)), f: (v: number) => fmt.mShort(v) },
  ];
  const labelEvery = Math.max(1, Math.ceil(n / 6));
  const totals = { clicks: 0, conversions: 0, revenue: 0n };
  for (const p of points) {
    totals.clicks += p.clicks;
    totals.conversions += p.conversions;
    totals.revenue += p.revenue;
  }
  const desc = `${fmt.count(points.length, "day")} from ${points[0]?.day ?? "-"} to ${points[points.length - 1]?.day ?? "-"}: ${fmt.count(totals.clicks, "click")}, ${fmt.count(totals.conversions, "conversion")}, ${fmt.m(totals.revenue)} revenue.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-t chart-d">
        <title id="chart-t">{title}</title>
        <desc id="chart-d">{desc}</desc>
        {series.map((s, si) => {
          const y0 = TOP + si * (PANEL + GAP);
          const yOf = (v: number) => r1(y0 + PANEL - (v / s.max) * PANEL);
          let path = "";
          if (s.key === "revenue") {
            path = points.map((p, i) => `${i ? "L" : "M"}${r1(LEFT + i * step + step / 2)} ${yOf(Number(p.revenue))}`).join("");
          }
          return (
            <g>
              <text class="pt" x={LEFT} y={y0 - 4}>{s.label}</text>
              <line class="gl" x1={LEFT} x2={W - RIGHT} y1={y0} y2={y0} />
              <line class="gl" x1={LEFT} x2={W - RIGHT} y1={y0 + PANEL / 2} y2={y0 + PANEL / 2} />
              <line class="gl" x1={LEFT} x2={W - RIGHT} y1={y0 + PANEL} y2={y0 + PANEL} />
              <text class="ax" x={LEFT - 6} y={y0 + 4} text-anchor="end">{s.f(s.max)}</text>
              <text class="ax" x={LEFT - 6} y={y0 + PANEL / 2 + 4} text-anchor="end">{s.f(s.max / 2)}</text>
              <text class="ax" x={LEFT - 6} y={y0 + PANEL + 4} text-anchor="end">{s.f(0)}</text>
              {s.key === "revenue" ? (
                points.length > 0 ? (
                  <g>
                    <path class="a3" d={`${path}L${r1(LEFT + (n - 1) * step + step / 2)} ${y0 + PANEL}L${r1(LEFT + step / 2)} ${y0 + PANEL}Z`} />
                    <path class="l3" d={path} />
                  </g>
                ) : null
              ) : (
                <g class={s.cls}>
                  {points.map((p, i) => {
                    const v = p[s.key];
                    if (v <= 0) return null;
                    const y = yOf(v);
                    return <rect x={r1(LEFT + i * step + (step - barW) / 2)} y={y} width={barW} height={r1(y0 + PANEL - y)} />;
                  })}
                </g>
              )}
            </g>
          );
        })}
        <g>
          {points.map((p, i) =>
            i % labelEvery === 0 ? <text class="ax" x={r1(LEFT + i * step + step / 2)} y={H - 6} text-anchor="middle">{fmt.dayShortOf(p.day)}</text> : null,
          )}
        </g>
        <g>
          {points.map((p, i) => (
            <rect class="hv" x={r1(LEFT + i * step)} y={TOP} width={r1(step)} height={H - TOP - 20}>
              <title>{`${fmt.day(p.day)}: ${fmt.count(p.clicks, "click")}, ${fmt.count(p.conversions, "conversion")}, ${fmt.m(p.revenue)} revenue`}</title>
            </rect>
          ))}
        </g>
      </svg>
      <figcaption class="legend">
        <span><i class="k1"></i>Clicks</span>
        <span><i class="k2"></i>Conversions</span>
        <span><i class="k3"></i>Revenue</span>
      </figcaption>
    </figure>
  );
}

/**
 * Horizontal bars of labelled values (the deal pipeline by status), same axes, colours and
 * accessibility as the time series: a title and a description for screen readers.
 */
export function BarChart({ bars, title, format }: { bars: { label: string; value: number; note: string }[]; title: string; format: (v: number) => string }) {
  const rowH = 26;
  const H = TOP + bars.length * rowH + 20;
  const max = niceMax(Math.max(...bars.map((b) => b.value), 1));
  const plotW = W - 140 - RIGHT;
  const x = (v: number) => r1(140 + (v / max) * plotW);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="bars-t bars-d">
        <title id="bars-t">{title}</title>
        <desc id="bars-d">{bars.map((b) => `${b.label}: ${b.note}`).join("; ")}</desc>
        <line class="gl" x1={140} x2={140} y1={TOP - 4} y2={H - 18} />
        <line class="gl" x1={x(max / 2)} x2={x(max / 2)} y1={TOP - 4} y2={H - 18} />
        <line class="gl" x1={x(max)} x2={x(max)} y1={TOP - 4} y2={H - 18} />
        <text class="ax" x={140} y={H - 4} text-anchor="middle">{format(0)}</text>
        <text class="ax" x={x(max / 2)} y={H - 4} text-anchor="middle">{format(max / 2)}</text>
        <text class="ax" x={x(max)} y={H - 4} text-anchor="end">{format(max)}</text>
        <g class="b1">
          {bars.map((b, i) => (
            <g>
              <text class="pt" x={132} y={TOP + i * rowH + 14} text-anchor="end">{b.label}</text>
              {b.value > 0 ? <rect x={140} y={TOP + i * rowH + 2} width={r1(x(b.value) - 140)} height={rowH - 8}><title>{`${b.label}: ${b.note}`}</title></rect> : null}
            </g>
          ))}
        </g>
      </svg>
    </figure>
  );
}

/**
 * New and active partners per month (the program's "Partners" overview): the same axes, grid and
 * bar colours as the daily chart, two panels sharing the month axis.
 */
export function MonthlyPartnersChart({ months, fmt, title }: { months: { month: string; new: number; active: number }[]; fmt: Fmt; title: string }) {
  const n = Math.max(months.length, 1);
  const step = (W - LEFT - RIGHT) / n;
  const barW = Math.max(1, r1(step * 0.72));
  const H = TOP + 2 * PANEL + GAP + 24;
  const series = [
    { key: "new" as const, label: "New partners", cls: "b1", max: niceMax(Math.max(...months.map((m) => m.new), 2)) },
    { key: "active" as const, label: "Active partners", cls: "b2", max: niceMax(Math.max(...months.map((m) => m.active), 2)) },
  ];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="mchart-t mchart-d">
        <title id="mchart-t">{title}</title>
        <desc id="mchart-d">{months.map((m) => `${m.month}: ${m.new} new, ${m.active} active`).join("; ") || "no months"}</desc>
        {series.map((s, si) => {
          const y0 = TOP + si * (PANEL + GAP);
          const yOf = (v: number) => r1(y0 + PANEL - (v / s.max) * PANEL);
          return (
            <g>
              <text class="pt" x={LEFT} y={y0 - 4}>{s.label}</text>
              <line class="gl" x1={LEFT} x2={W - RIGHT} y1={y0} y2={y0} />
              <line class="gl" x1={LEFT} x2={W - RIGHT} y1={y0 + PANEL} y2={y0 + PANEL} />
              <text class="ax" x={LEFT - 6} y={y0 + 4} text-anchor="end">{fmt.n(s.max)}</text>
              <text class="ax" x={LEFT - 6} y={y0 + PANEL + 4} text-anchor="end">{fmt.n(0)}</text>
              <g class={s.cls}>
                {months.map((m, i) => (m[s.key] > 0 ? <rect x={r1(LEFT + i * step + (step - barW) / 2)} y={yOf(m[s.key])} width={barW} height={r1(y0 + PANEL - yOf(m[s.key]))}><title>{`${m.month}: ${m[s.key]}`}</title></rect> : null))}
              </g>
            </g>
          );
        })}
        <g>{months.map((m, i) => <text class="ax" x={r1(LEFT + i * step + step / 2)} y={H - 6} text-anchor="middle">{m.month}</text>)}</g>
      </svg>
      <figcaption class="legend"><span><i class="k1"></i>New partners</span><span><i class="k2"></i>Active partners</span></figcaption>
    </figure>
  );
}
