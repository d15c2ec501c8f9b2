import { Hono } from "hono";
import { Layout, Badge, Csrf, type Column } from "../ui";
import { DataTable, Empty, Facts, payoutColumns, type PayoutLine } from "../pages/manager";
import { commissionStatusCounts, programPayoutPage, programPayouts, unpaidApproved } from "../../src/db/queries/dashboard";
import { eachPage } from "../../src/db/queries/pagination";
import { getProgramPartner } from "../../src/db/queries/partners";
import { batchPayouts, getBatch, getPayout, payoutLines } from "../../src/db/queries/payouts";
import { createPayouts, payPayout } from "../../src/services/management/payouts";
import { formatMoney } from "../../src/domain/money";
import { payBatch } from "../../src/services/management/payouts";
import { settleProgram } from "../../src/services/prm/settle";
import type { Fmt } from "../format";
import { csvNumber, csvResponse, toCsv } from "../../src/http/csv";
import { mapPages, notFoundPage, pagedTableCsv, tableCsv, wantsCsv, withQuery } from "./common";
import { partnerDirectory } from "./managerData";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

const payoutLine = (r: { payout: Omit<PayoutLine, "partner" | "email" | "count"> & { commissionCount: number }; name: string; email: string }): PayoutLine =>
  ({ ...r.payout, partner: r.name, email: r.email, count: r.payout.commissionCount });

/** Per batch: its bulk-payment CSV and, while some of it is pending, "Mark all paid". */
function BatchTools({ base, csrf, batches, fmt }: { base: string; csrf: string; batches: { id: string; pending: PayoutLine[] }[]; fmt: Fmt }) {
  return (
    <div class="stack small">
      {batches.map((b) => {
        const total = b.pending.reduce((s, p) => s + p.amount, 0n);
        return (
          <div class="row">
            <span>Batch <a href={`${base}/payout-batches/${b.id}.csv`} download class="mono" aria-label={`Bulk-payment CSV of batch ${b.id}`}>{b.id}</a></span>
            {b.pending.length ? (
              <form method="post" action={`${base}/payout-batches/${b.id}/paid`} class="inline" data-confirm={`Mark ${fmt.count(b.pending.length, "payout")} of ${fmt.m(total)} paid?`}>
                <Csrf token={csrf} />
                <button class="small secondary" aria-label={`Mark all paid: batch ${b.id}, ${fmt.count(b.pending.length, "pending payout")}`}>Mark all paid</button>
              </form>
            ) : <span class="muted">all paid</span>}
          </div>
        );
      })}
    </div>
  );
}

/** Payouts: the next run, creating it, a payout and its lines, bulk-payment CSVs, marking paid. */
export function payoutRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/payouts", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const [list, due, dir, counts] = await Promise.all([programPayouts(db, program.id), unpaidApproved(db, program.id), partnerDirectory(db, program.id), commissionStatusCounts(db, program.id)]);
    const pending = counts["pending"] ?? 0;
    const rows: PayoutLine[] = list.map(payoutLine);
    const columns = payoutColumns(fmt, base, c.var.csrf);
    // the export is every payout of the program, not the 200 on screen
    if (wantsCsv(c, "payouts")) return pagedTableCsv(columns, mapPages(eachPage((p) => programPayoutPage(db, program.id, p)), (ps) => ps.map(payoutLine)), "payouts.csv");
    const ready = due.filter((d) => d.amount >= program.minPayout && d.amount > 0);
    // what is due but left out of a run: these partners, not the ones paid, are the ones who wait
    const below = due.filter((d) => !(d.amount >= program.minPayout && d.amount > 0));
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
              <p class="small muted">{ready.slice(0, 8).map((d) => `${dir.names.get(d.partnerId) ?? "?"} ${fmt.m(d.amount)}`).join(" · ")}{ready.length > 8 ? ` and ${ready.length - 8} more` : ""}</p>
              <form method="post" action={`${base}/payouts`} data-confirm={`Create payouts of ${fmt.m(total)} for ${fmt.count(ready.length, "partner")}?`}>
                <Csrf token={c.var.csrf} />
                <button>Create payouts</button>
              </form>
            </>
          ) : (
            <p class="muted">No partner has approved commissions at or above the {fmt.m(program.minPayout)} minimum yet. Commissions are approved by settle once their {program.holdDays}-day refund window has passed.</p>
          )}
          {pending ? (
            // the scheduled settle does this on its own; here a manager need not wait for it
            <form method="post" action={`${base}/payouts/settle`} class="row">
              <Csrf token={c.var.csrf} />
              <span class="small">{fmt.count(pending, "commission")} {pending === 1 ? "waits" : "wait"} for the {program.holdDays}-day refund window; settle approves those whose window has passed.</span>
              <button class="secondary small">Settle now</button>
            </form>
          ) : null}
          {below.length ? (
            <p class="small muted" id="below-minimum">
              {below.length === 1 ? "1 more partner stays" : `${fmt.n(below.length)} more partners stay`} below the {fmt.m(program.minPayout)} minimum and {below.length === 1 ? "carries" : "carry"} over: {below.slice(0, 8).map((d) => `${dir.names.get(d.partnerId) ?? "?"} ${fmt.m(d.amount)}`).join(" · ")}{below.length > 8 ? ` and ${below.length - 8} more` : ""}
            </p>
          ) : null}
        </section>
        <section class="panel">
          <DataTable caption="Payouts" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "payouts" })}
            tools={batches.length ? <BatchTools base={base} csrf={c.var.csrf} batches={batches.map((b) => ({ id: b, pending: rows.filter((r) => r.batchId === b && r.status === "pending") }))} fmt={fmt} /> : undefined}
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
    setFlash(c, "app", batch.payouts.length ? "ok" : "err", batch.payouts.length ? `Created ${ctx.fmt.count(batch.payouts.length, "payout")} of ${ctx.fmt.m(total)} in total (batch ${batch.batchId}).` : "Nothing was due: no payout created.");
    return c.redirect(`${ctx.base}/payouts`, 303);
  });

  // the same run as POST /api/v1/programs/{id}/settle and the scheduled job, for this program now
  app.post("/app/p/:pid/payouts/settle", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const r = await settleProgram(ctx.db, ctx.program.id, ctx.now);
    setFlash(c, "app", "ok", r.approved ? `Settled: ${ctx.fmt.count(r.approved, "commission")} approved for payout.` : "Settled: no commission's refund window has passed yet.");
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
          <h1>{fmt.m(payout.amount)} to {partner?.name ?? "?"} <Badge status={payout.status} payout /></h1>
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

  app.post("/app/p/:pid/payout-batches/:bat/paid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const batch = await getBatch(ctx.db, c.req.param("bat"));
    if (!batch || batch.programId !== ctx.program.id) return notFoundPage(c, "app");
    const outcome = await payBatch(ctx.db, ctx.program, batch.id, ctx.now, ctx.actor);
    if (outcome.kind === "ok") setFlash(c, "app", "ok", `Marked ${ctx.fmt.count(outcome.value.marked, "payout")} of batch ${batch.id} paid.`);
    else setFlash(c, "app", "err", `Nothing was marked: ${outcome.kind === "conflict" ? outcome.message : "the batch could not be paid"}.`);
    return c.redirect(`${ctx.base}/payouts`, 303);
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
