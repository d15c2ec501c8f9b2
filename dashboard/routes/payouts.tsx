import { Hono } from "hono";
import { Layout, Badge, Csrf, type Column } from "../ui";
import { DataTable, Empty, Facts, payoutColumns, type PayoutLine } from "../pages/manager";
import { programPayouts, unpaidApproved } from "../../src/db/queries/dashboard";
import { getProgramPartner } from "../../src/db/queries/partners";
import { batchPayouts, getBatch, getPayout, payoutLines } from "../../src/db/queries/payouts";
import { createPayouts, payPayout } from "../../src/services/management/payouts";
import { formatMoney } from "../../src/domain/money";
import { csvNumber, csvResponse, toCsv } from "../../src/http/csv";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { partnerDirectory } from "./managerData";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

/** Payouts: the next run, creating it, a payout and its lines, bulk-payment CSVs, marking paid. */
export function payoutRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/payouts", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const [list, due, dir] = await Promise.all([programPayouts(db, program.id), unpaidApproved(db, program.id), partnerDirectory(db, program.id)]);
    const rows: PayoutLine[] = list.map((r) => ({ ...r.payout, partner: r.name, email: r.email, count: r.payout.commissionCount }));
    const columns = payoutColumns(fmt, base, c.var.csrf);
    if (wantsCsv(c, "payouts")) return tableCsv(columns, rows, "payouts.csv");
    const ready = due.filter((d) => d.amount >= program.minPayout && d.amount > 0);
    const total = ready.reduce((s, d) => s + d.amount, 0n);
    const batches = [...new Set(rows.map((r) => r.batchId))].slice(0, 5);
    return c.html(
      <Layout {...ctx.frame("payouts", "Payouts")}>
        <div class="head"><h1>Payouts</h1></div>
        <section class="panel">
          <h2>Next payout run</h2>
          {ready.length ? (
            <>
              <p>{fmt.n(ready.length)} {ready.length === 1 ? "partner has" : "partners have"} {fmt.m(total)} of approved commissions at or above the {fmt.m(program.minPayout)} minimum.</p>
              <p class="small muted">{due.length - ready.length > 0 ? `${due.length - ready.length} more stay below the minimum and carry over. ` : ""}{ready.slice(0, 8).map((d) => `${dir.names.get(d.partnerId) ?? "?"} ${fmt.m(d.amount)}`).join(" · ")}</p>
              <form method="post" action={`${base}/payouts`} data-confirm={`Create payouts of ${fmt.m(total)} for ${ready.length} partners?`}>
                <Csrf token={c.var.csrf} />
                <button>Create payouts</button>
              </form>
            </>
          ) : (
            <p class="muted">No partner has approved commissions at or above the {fmt.m(program.minPayout)} minimum yet. Commissions are approved by settle once their {program.holdDays}-day hold has passed.</p>
          )}
        </section>
        <section class="panel">
          <DataTable caption="Payouts" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "payouts" })}
            tools={batches.length ? <span class="small">Bulk-payment CSV by batch: {batches.map((b) => <><a href={`${base}/payout-batches/${b}.csv`} download class="mono">{b}</a>{" "}</>)}</span> : undefined}
            empty={<Empty title="No payouts yet.">Create a payout run above when partners have approved commissions.</Empty>} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/payouts", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const batch = await createPayouts(ctx.db, ctx.program, ctx.now, ctx.actor);
    const total = batch.payouts.reduce((s, p) => s + p.amount, 0n);
    setFlash(c, "app", batch.payouts.length ? "ok" : "err", batch.payouts.length ? `Created ${batch.payouts.length} payouts of ${ctx.fmt.m(total)} in total (batch ${batch.batchId}).` : "Nothing was due: no payout created.");
    return c.redirect(`${ctx.base}/payouts`, 303);
  });

  app.get("/app/p/:pid/payouts/:pay", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const raw = c.req.param("pay");
    const csv = raw.endsWith(".csv");
    const payout = await getPayout(db, csv ? raw.slice(0, -4) : raw);
    if (!payout || payout.programId !== program.id) return notFoundPage(c, "app");
    const partner = await getProgramPartner(db, program.id, payout.partnerId);
    if (csv) {
      return csvResponse(toCsv(["partner", "email", "amount", "currency", "commissionCount", "payoutId", "partnerId"], [[partner?.name ?? "", partner?.email ?? "", csvNumber(formatMoney(payout.amount, payout.currency)), payout.currency, payout.commissionCount, payout.id, payout.partnerId]]), `${payout.id}.csv`);
    }
    const lines = await payoutLines(db, payout.id);
    const lineRows = [
      ...lines.commissionLines.map((l) => ({ kind: "commission", id: l.id, ref: l.conversionId, amount: l.amount, at: l.createdAt })),
      ...lines.adjustmentLines.map((l) => ({ kind: `adjustment (${l.reason})`, id: l.id, ref: l.commissionId ?? "", amount: l.amount, at: l.createdAt })),
    ];
    const cols: Column<(typeof lineRows)[number]>[] = [
      { label: "Kind", value: (r) => r.kind },
      { label: "Date", value: (r) => new Date(r.at).toISOString(), cell: (r) => fmt.day(r.at) },
      { label: "Conversion", value: (r) => r.ref, cell: (r) => (r.kind === "commission" ? <a href={`${base}/conversions/${r.ref}`} class="mono">{r.ref}</a> : <span class="mono">{r.ref}</span>) },
      { label: "Amount", value: (r) => fmt.plain(r.amount), cell: (r) => fmt.m(r.amount), num: true },
    ];
    if (wantsCsv(c, "lines")) return tableCsv(cols, lineRows, `${payout.id}-lines.csv`);
    return c.html(
      <Layout {...ctx.frame("payouts", "Payout")}>
        <p class="small muted"><a href={`${base}/payouts`}>Payouts</a> /</p>
        <div class="head">
          <h1>{fmt.m(payout.amount)} to {partner?.name ?? "?"} <Badge status={payout.status === "pending" ? "pending-p" : payout.status} /></h1>
          <div class="row">
            <a class="btn secondary" href={`${base}/payouts/${payout.id}.csv`} download>Download CSV</a>
            {payout.status === "pending" ? (
              <form method="post" action={`${base}/payouts/${payout.id}/paid`} class="inline" data-confirm="Mark this payout as paid?">
                <Csrf token={c.var.csrf} />
                <button>Mark paid</button>
              </form>
            ) : null}
          </div>
        </div>
        <section class="panel">
          <Facts items={[["Partner", partner ? <a href={`${base}/partners/${partner.id}`}>{partner.name}</a> : "?"], ["Email", partner?.email ?? ""], ["Commissions", fmt.n(payout.commissionCount)], ["Created", fmt.time(payout.createdAt)], ["Paid", payout.paidAt ? fmt.time(payout.paidAt) : "not yet"], ["Batch", <span class="mono">{payout.batchId}</span>]]} />
        </section>
        <section class="panel">
          <h2>Lines</h2>
          <DataTable caption="Payout lines" columns={cols} rows={lineRows} csv={withQuery(c, { format: "csv", table: "lines" })} empty={<Empty title="No lines.">This payout holds no commissions.</Empty>} />
        </section>
      </Layout>,
    );
  });

  app.get("/app/p/:pid/payout-batches/:bat", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const id = c.req.param("bat").replace(/\.csv$/, "");
    const batch = await getBatch(ctx.db, id);
    if (!batch || batch.programId !== ctx.program.id) return notFoundPage(c, "app");
    const rows = await batchPayouts(ctx.db, batch.id);
    return csvResponse(toCsv(["partner", "email", "amount", "currency", "commissionCount", "payoutId", "partnerId"], rows.map((r) => [r.name, r.email, csvNumber(formatMoney(r.payout.amount, r.payout.currency)), r.payout.currency, r.payout.commissionCount, r.payout.id, r.payout.partnerId])), `${batch.id}.csv`);
  });

  app.post("/app/p/:pid/payouts/:pay/paid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const payout = await getPayout(ctx.db, c.req.param("pay"));
    if (!payout || payout.programId !== ctx.program.id) return notFoundPage(c, "app");
    const ok = (await payPayout(ctx.db, ctx.program, payout, ctx.now, ctx.actor)).kind === "ok";
    setFlash(c, "app", ok ? "ok" : "err", ok ? `Payout of ${ctx.fmt.m(payout.amount)} marked paid.` : "This payout was already paid.");
    return c.redirect(`${ctx.base}/payouts/${payout.id}`, 303);
  });
  return app;
}
