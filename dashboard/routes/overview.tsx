import { Hono } from "hono";
import { Layout, type Column } from "../ui";
import { KpiTiles, ResultsChart, TopList, PeriodPicker } from "../pages/overview";
import { commissionStatusCounts } from "../../src/db/queries/dashboard";
import { linkSlugs } from "../../src/db/queries/links";
import { badRequestPage, dayColumns, notFoundPage, periodOf, previousPeriod, tableCsv, wantsCsv, withQuery } from "./common";
import { best, partnerDirectory, report } from "./managerData";
import { programPage } from "./programPage";
import type { DashEnv } from "./session";

/** The program's overview: KPIs against the previous period, the daily chart, top lists. */
export function overviewRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    if (period.problem) return badRequestPage(c, "app", period.problem);
    // The previous period only feeds the KPI trends: its totals, from the cheapest grouping.
    const [days, prev, byPartner, byLink, byCountry, byDevice, dir, counts] = await Promise.all([
      report(db, program, period, "day"), report(db, program, previousPeriod(period), "day"), report(db, program, period, "partner"),
      report(db, program, period, "link"), report(db, program, period, "country"), report(db, program, period, "device"),
      partnerDirectory(db, program.id), commissionStatusCounts(db, program.id),
    ]);
    if (wantsCsv(c, "days")) return tableCsv(dayColumns(fmt), days.rows, `daily-${period.from}-${period.to}.csv`);
    const topLinks = best(byLink.rows, 6);
    const held = counts["hold"] ?? 0;
    const csv = (table: string, groupBy: string) => withQuery(c, { format: "csv", table, groupBy });
    if (c.req.query("format") === "csv" && c.req.query("table") === "top") {
      const rows = await report(db, program, period, (c.req.query("groupBy") ?? "partner") as "partner");
      const slugs = await linkSlugs(db, program.id, rows.rows.flatMap((r) => (r.key ? [r.key] : [])));
      return tableCsv(topColumns(fmt), rows.rows.map((r) => ({ ...r, name: dir.names.get(r.key ?? "") ?? slugs.get(r.key ?? "")?.slug ?? r.key })), `top-${c.req.query("groupBy")}.csv`);
    }
    const slugs = await linkSlugs(db, program.id, topLinks.flatMap((r) => (r.key ? [r.key] : [])));
    return c.html(
      <Layout {...ctx.frame("overview", "Overview")}>
        <div class="head">
          <h1>{program.name}</h1>
          <PeriodPicker period={period} action={base} />
        </div>
        {held > 0 ? (
          <div class="flash ok" role="status">
            {fmt.n(held)} pixel {held === 1 ? "commission waits" : "commissions wait"} for your approval. <a href={`${base}/commissions?status=hold`}>Review the queue</a>.
          </div>
        ) : null}
        {dir.partners.length === 0 ? (
          <div class="panel empty"><strong>No partners yet.</strong><p><a href={`${base}/partners`}>Add your first partner</a>, give them a link, and clicks will show up here within seconds.</p></div>
        ) : null}
        <KpiTiles t={byPartner.totals} prev={prev.totals} fmt={fmt} />
        <ResultsChart title="Clicks, conversions and revenue" points={days.rows.map((r) => ({ day: r.key!, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} fmt={fmt} period={period} action={base} csv={withQuery(c, { format: "csv", table: "days" })} />
        <div class="grid">
          <TopList title="Top partners" fmt={fmt} csv={csv("top", "partner")} empty="No partner has clicks or sales in this period." items={best(byPartner.rows, 6).map((r) => ({ label: r.key ? <a href={`${base}/partners/${r.key}`}>{dir.names.get(r.key) ?? r.key}</a> : "unknown", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
          <TopList title="Top links" fmt={fmt} csv={csv("top", "link")} empty="No link has clicks in this period. Create links on the Links page." items={topLinks.map((r) => { const l = slugs.get(r.key ?? ""); return { label: l ? <span class="mono">/{l.slug}</span> : "coupon or returning customer", sub: l ? dir.names.get(l.partnerId) : undefined, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }; })} />
          <TopList title="Top countries" fmt={fmt} csv={csv("top", "country")} empty="No country data yet (it comes from the CF-IPCountry header at the edge)." items={best(byCountry.rows, 6).map((r) => ({ label: r.key ?? "unknown", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
          <TopList title="Devices" fmt={fmt} csv={csv("top", "device")} empty="No clicks in this period yet." items={best(byDevice.rows, 6).map((r) => ({ label: r.key ?? "unknown", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
        </div>
      </Layout>,
    );
  });
  return app;
}

function topColumns(fmt: { plain: (n: bigint) => string }): Column<{ key: string | null; name: string | null | undefined; clicks: number; conversions: number; revenue: bigint; commission: bigint }>[] {
  return [
    { label: "key", value: (r) => r.key }, { label: "name", value: (r) => r.name ?? null }, { label: "clicks", value: (r) => r.clicks },
    { label: "conversions", value: (r) => r.conversions }, { label: "revenue", value: (r) => fmt.plain(r.revenue), num: true }, { label: "commission", value: (r) => fmt.plain(r.commission), num: true },
  ];
}
