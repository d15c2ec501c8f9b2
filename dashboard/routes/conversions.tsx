import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { Layout, Badge, Csrf } from "../ui";
import { conversionColumns, DataTable, Empty, Facts, Pager, type ConversionLine } from "../pages/manager";
import { commissionOf, commissionsOf, getConversion, listConversions } from "../../src/db/queries/conversions";
import { pricingOf } from "../../src/db/queries/dashboard";
import { adjustmentsOf } from "../../src/db/queries/commissions";
import { getProgramPartner } from "../../src/db/queries/partners";
import { explain } from "../../src/domain/explain";
import { eachPage } from "../../src/db/queries/pagination";
import { badRequestPage, dayQuery, mapPages, notFoundPage, pagedTableCsv, wantsCsv, withQuery } from "./common";
import { partnerDirectory } from "./managerData";
import { programPage } from "./programPage";
import type { DashEnv } from "./session";

/** Conversions: the filtered list and one conversion with why it earned what it earned. */
export function conversionRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/conversions", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const status = ["attributed", "unattributed"].includes(c.req.query("status") ?? "") ? (c.req.query("status") as "attributed" | "unattributed") : undefined;
    const partnerId = c.req.query("partner") || undefined;
    const from = dayQuery(c, "from", ctx.now);
    const toDay = dayQuery(c, "to", ctx.now);
    if (from === null || toDay === null) return badRequestPage(c, "app", "Dates must be real calendar days (YYYY-MM-DD) between 2000-01-01 and 100 years from now.");
    if (from !== undefined && toDay !== undefined && from > toDay) return badRequestPage(c, "app", `The dates are reversed: Recorded from (${c.req.query("from")}) is after Recorded to (${c.req.query("to")}). Pick a From day on or before the To day.`);
    const to = toDay === undefined ? undefined : toDay + 86_400_000;
    const dir = await partnerDirectory(db, program.id);
    // an order id is matched exactly, as the API's ?orderId= does: the way to find one sale
    const orderId = (c.req.query("order") ?? "").trim().slice(0, 200) || undefined;
    const filter = { programId: program.id, status, partnerId, orderId, from, to };
    const lines = async (data: Awaited<ReturnType<typeof listConversions>>["data"]): Promise<ConversionLine[]> => {
      const byConversion = await commissionsOf(db, data.map((v) => v.id));
      return data.map((v) => {
        const m = byConversion.get(v.id);
        return { ...v, partner: v.partnerId ? dir.names.get(v.partnerId) ?? "?" : null, commission: m?.amount ?? null, commissionStatus: m?.status ?? null };
      });
    };
    const columns = conversionColumns(fmt, base);
    // the export is every conversion of the filter, not the page on screen
    if (wantsCsv(c, "conversions")) return pagedTableCsv(columns, mapPages(eachPage((p) => listConversions(db, filter, p)), lines), "conversions.csv");
    const page = await listConversions(db, filter, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const rows = await lines(page.data);
    return c.html(
      <Layout {...ctx.frame("conversions", "Conversions")}>
        <div class="head"><h1>Conversions</h1></div>
        <section class="panel">
          <form method="get" action={`${base}/conversions`} class="form" aria-label="Filters">
            <div class="field"><label for="f-status">Attribution</label><select id="f-status" name="status"><option value="">Any</option><option value="attributed" selected={status === "attributed"}>Attributed</option><option value="unattributed" selected={status === "unattributed"}>Unattributed</option></select></div>
            <div class="field"><label for="f-partner">Partner</label><select id="f-partner" name="partner"><option value="">Any partner</option>{dir.partners.map((p) => <option value={p.id} selected={p.id === partnerId}>{p.name}</option>)}</select></div>
            <div class="field"><label for="f-order">Order id</label><input id="f-order" name="order" value={orderId ?? ""} maxlength={200} placeholder="exact, e.g. ord_1001" /></div>
            <div class="field"><label for="f-from">Recorded from</label><input type="date" id="f-from" name="from" value={c.req.query("from") ?? ""} /></div>
            <div class="field"><label for="f-to">Recorded to</label><input type="date" id="f-to" name="to" value={c.req.query("to") ?? ""} /></div>
            <button class="secondary">Filter</button>
          </form>
        </section>
        <section class="panel">
          <DataTable caption="Conversions" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "conversions" })}
            empty={<Empty title="No conversions match.">Conversions arrive from your postback (POST /v1/conversions), the pixel or the snippet: see <a href={`${base}/settings`}>Settings</a> for the ready-to-copy code.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.get("/app/p/:pid/conversions/:cid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const conv = await getConversion(db, c.req.param("cid"));
    if (!conv || conv.programId !== program.id) return notFoundPage(c, "app");
    const commission = await commissionOf(db, conv.id);
    const { rule, tier } = await pricingOf(db, commission);
    // as the API explains it: the window the conversion was attributed under (older rows: the
    // program's) and the refund adjustments waiting for a payout
    const x = explain({ conversion: conv, cookieDays: conv.cookieDays ?? program.cookieDays, tier, rule, commission, adjustments: commission ? await adjustmentsOf(db, commission.id) : [] });
    const partner = conv.partnerId ? await getProgramPartner(db, program.id, conv.partnerId) : null;
    return c.html(
      <Layout {...ctx.frame("conversions", `Conversion ${conv.orderId}`)}>
        <p class="small muted"><a href={`${base}/conversions`}>Conversions</a> /</p>
        <h1>Order <span class="mono">{conv.orderId}</span> <Badge status={conv.status} /></h1>
        <div class="grid">
          <section class="panel">
            <h2>Conversion</h2>
            <Facts items={[
              ["Event", conv.event], ["Amount", fmt.m(conv.amount)], ["Refunded", fmt.m(conv.refunded)], ["Source", conv.source],
              ["Occurred", fmt.time(conv.occurredAt)], ["Recorded", fmt.time(conv.createdAt)],
              ["Partner", partner ? <a href={`${base}/partners/${partner.id}`}>{partner.name}</a> : "–"], ["Customer", conv.customerId ?? "–"], ["Coupon", conv.coupon ?? "–"],
              ["Country / device", `${conv.country ?? "?"} / ${conv.device ?? "?"}`],
            ]} />
          </section>
          <section class="panel">
            <h2>Why</h2>
            <p>{x.attribution}</p>
            <Facts items={[
              ["Window", `${x.window.cookieDays} days, ${x.window.model}`], ["Tier then", x.tier?.name ?? "–"],
              ["Rule", x.rule ? `${x.rule.type === "percent" ? `${x.rule.value}%` : `${x.rule.value} ${program.currency} flat`}${x.rule.tierSpecific ? " (tier rule)" : " (program rule)"}` : "–"],
              ["Arithmetic", x.arithmetic ?? x.commission ?? "–"],
              ["Commission", commission ? <>{fmt.m(commission.amount)} <Badge status={commission.status} /></> : "none"],
              ...x.adjustments.map((a): [string, Child] => ["Adjustment", <>{a.amount} {a.currency} {a.payoutId ? <>in payout <a href={`${base}/payouts/${a.payoutId}`} class="mono">{a.payoutId}</a></> : "waiting for the next payout"}</>]),
            ]} />
            {commission && (commission.status === "hold" || commission.status === "pending") ? (
              <form method="post" action={`${base}/commissions`} class="row">
                <Csrf token={c.var.csrf} />
                <input type="hidden" name="ids" value={commission.id} />
                {commission.status === "hold" ? <button name="action" value="approve">Approve</button> : null}
                <button name="action" value="reject" class="danger">Reject</button>
              </form>
            ) : null}
          </section>
        </div>
      </Layout>,
    );
  });
  return app;
}
