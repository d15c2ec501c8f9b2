import { Hono } from "hono";
import { Layout, Badge, Csrf, DataTable, Empty, Kpis } from "../ui";
import { BarChart } from "../chart";
import { Facts, Pager, StatusFilter } from "../pages/manager";
import { DEAL_FILTERS, dealColumns, type DealLine } from "../pages/deals";
import { closedDeals, dealsByIds, getVendorDeal, listProgramDeals, pipelineDeals } from "../../src/db/queries/deals";
import { DAY_MS } from "../../src/domain/dates";
import { DEAL_STATUSES, summarizePipeline, type DealStatus } from "../../src/domain/deals";
import { approveDeal, closeDeal, markDealWon } from "../../src/services/deals/decide";
import { notFoundPage, periodOf, tableCsv, wantsCsv, withQuery } from "./common";
import { partnerDirectory } from "./managerData";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

/** Deals: the queue (conflicts side by side with the deal they meet), decisions, and the pipeline. */
export function dealRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/app/p/:pid/deals", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const q = c.req.query("status");
    const status = DEAL_STATUSES.includes(q as DealStatus) ? (q as DealStatus) : q === "all" ? undefined : q ? undefined : "conflict";
    const period = periodOf(c, ctx.now);
    const from = period.fromDay * DAY_MS;
    const to = (period.toDay + 1) * DAY_MS;
    const [dir, page, registered, closed] = await Promise.all([
      partnerDirectory(db, program.id), listProgramDeals(db, program.id, { status }, { limit: 100, cursor: c.req.query("cursor") ?? null }),
      pipelineDeals(db, program.id, from, to), closedDeals(db, program.id, from, to),
    ]);
    const others = new Map((await dealsByIds(db, page.data.flatMap((d) => (d.conflictDealId ? [d.conflictDealId] : [])))).map((d) => [d.id, d]));
    const rows: DealLine[] = page.data.map((d) => ({ ...d, partner: dir.names.get(d.partnerId) ?? "?" }));
    const columns = dealColumns(fmt, { partner: true });
    if (wantsCsv(c, "deals")) return tableCsv(columns, rows, "deals.csv");
    const p = summarizePipeline({ registered, closed });
    const conflicts = rows.filter((d) => d.status === "conflict");
    const act = (id: string, action: string, label: string, extra?: unknown) => (
      <form method="post" action={`${base}/deals/${id}/${action}`} class="row">
        <Csrf token={c.var.csrf} />
        {extra}
        <button class="small secondary">{label}</button>
      </form>
    );
    const Decide = ({ d }: { d: DealLine }) => (
      <div class="row">
        {d.status === "submitted" || d.status === "conflict" ? act(d.id, "approve", "Approve") : null}
        {d.status === "submitted" || d.status === "conflict" || d.status === "approved" ? act(d.id, "reject", "Reject") : null}
        {d.status === "approved" ? act(d.id, "won", "Won", <input name="amount" required inputmode="decimal" aria-label={`Won amount of ${d.company}`} placeholder="amount" size={8} />) : null}
        {d.status === "approved" ? act(d.id, "lost", "Lost") : null}
      </div>
    );
    return c.html(
      <Layout {...ctx.frame("deals", "Deals")}>
        <div class="head"><h1>Deals</h1></div>
        <Kpis fmt={fmt} items={[
          { label: "Registered in the period", value: fmt.n(registered.length) },
          { label: "Win rate", value: p.winRate === null ? "–" : fmt.percent(Number(p.winRate)), note: "won ÷ (won + lost), closed in the period" },
          { label: "Median days to close", value: p.medianDaysToClose === null ? "–" : String(p.medianDaysToClose) },
          { label: "Won value", value: fmt.m(p.wonValue) },
        ]} />
        <section class="panel">
          <h2>Pipeline by status</h2>
          <BarChart title="Deal value by status" format={(v) => fmt.mShort(v)} bars={p.byStatus.map((s) => ({ label: s.status, value: s.value, note: `${s.count} deals, ${fmt.m(s.value)}` }))} />
        </section>
        {conflicts.length ? (
          <section class="panel">
            <h2>Conflicts to resolve</h2>
            {conflicts.map((d) => {
              const other = d.conflictDealId ? others.get(d.conflictDealId) : undefined;
              return (
                <div class="grid">
                  <div><h3>{d.company} <Badge status="conflict" /></h3><Facts items={[["Partner", d.partner ?? "?"], ["Account", <span class="mono">{d.account}</span>], ["Kind", d.conflictKind ?? "?"], ["Registered", fmt.day(d.createdAt)]]} /><Decide d={d} /></div>
                  <div>{other ? (<><h3>{other.company} <Badge status={other.status} /></h3><Facts items={[["Partner", dir.names.get(other.partnerId) ?? "?"], ["Account", <span class="mono">{other.account}</span>], ["Registered", fmt.day(other.createdAt)], ["Protected until", other.protectedUntil ? fmt.day(other.protectedUntil) : "–"]]} /></>) : <p class="muted">An existing customer of the program: no open deal holds the account.</p>}</div>
                </div>
              );
            })}
          </section>
        ) : null}
        <section class="panel">
          <div class="head"><h2>Queue</h2><StatusFilter base={`${base}/deals`} current={status ?? ""} filters={DEAL_FILTERS} /></div>
          <DataTable caption="Deals" columns={[...columns, { label: "Decide", value: () => null, noCsv: true, cell: (d) => <Decide d={d} /> }]} rows={rows} csv={withQuery(c, { format: "csv", table: "deals" })}
            empty={<Empty title="No deals here.">Partners register deals in their portal; conflicts wait here for you.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/deals/:did/:action{approve|reject|won|lost}", async (c) => {
    const ctx = await programPage(c);
    const found = ctx && (await getVendorDeal(ctx.db, c.var.session.vendorId, c.req.param("did")));
    if (!ctx || !found || found.program.id !== ctx.program.id) return notFoundPage(c, "app");
    const body = await c.req.parseBody();
    const action = c.req.param("action") as "approve" | "reject" | "won" | "lost";
    const outcome = action === "approve" ? await approveDeal(ctx.db, ctx.program, found.deal, ctx.now, ctx.actor)
      : action === "won" ? await markDealWon(c.var.deps, ctx.program, found.deal, { amount: String(body["amount"] ?? "") }, ctx.actor)
      : await closeDeal(ctx.db, found.deal, action, String(body["reason"] ?? "").trim() || null, ctx.now, ctx.program, ctx.actor);
    if (outcome.kind === "ok") setFlash(c, "app", "ok", `${found.deal.company}: ${({ approve: "approved", reject: "rejected", won: "won, its sale is recorded", lost: "marked lost" })[action]}.`);
    else setFlash(c, "app", "err", `${found.deal.company}: ${"message" in outcome ? outcome.message : "not found"}`);
    return c.redirect(`${ctx.base}/deals`, 303);
  });
  return app;
}
