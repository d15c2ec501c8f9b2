import { Hono } from "hono";
import { Layout } from "../ui";
import { BulkActions, COMMISSION_FILTERS, commissionColumns, DataTable, Empty, FlagFilter, Pager, StatusFilter, type CommissionLine } from "../pages/manager";
import { FRAUD_FLAGS, type FraudFlag } from "../../src/domain/fraud";
import { COMMISSION_STATUSES, type CommissionStatus } from "../../src/db/schema";
import { listCommissions } from "../../src/db/queries/commissions";
import { commissionStatusCounts } from "../../src/db/queries/dashboard";
import { decideCommissions } from "../../src/services/management/commissions";
import type { ManagerAction } from "../../src/domain/lifecycle";
import { eachPage } from "../../src/db/queries/pagination";
import { mapPages, notFoundPage, pagedTableCsv, wantsCsv, withQuery } from "./common";
import { partnerDirectory } from "./managerData";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

/** Commissions: the review queue by status and the bulk approve / reject. */
export function commissionRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/commissions", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const counts = await commissionStatusCounts(db, program.id);
    const q = c.req.query("status");
    const status = q === "all" ? "" : COMMISSION_STATUSES.includes(q as CommissionStatus) ? q! : counts["hold"] ? "hold" : "";
    const flagQuery = c.req.query("flag") ?? "";
    const flag = flagQuery === "any" || (FRAUD_FLAGS as readonly string[]).includes(flagQuery) ? (flagQuery as FraudFlag | "any") : undefined;
    const dir = await partnerDirectory(db, program.id);
    // one partner's commissions (the API's ?partnerId=): an id outside the program matches nothing
    const partnerId = c.req.query("partner") || undefined;
    const filter = { programId: program.id, status: (status || undefined) as CommissionStatus | undefined, flag, partnerId };
    const line = (m: Awaited<ReturnType<typeof listCommissions>>["data"][number]): CommissionLine => ({ ...m, partner: dir.names.get(m.partnerId) ?? "?" });
    // the export is every commission of the filter, not the page on screen
    if (wantsCsv(c, "commissions")) return pagedTableCsv(commissionColumns(fmt, base, false), mapPages(eachPage((p) => listCommissions(db, filter, p)), (ms) => ms.map(line)), `commissions-${status || "all"}.csv`);
    const page = await listCommissions(db, filter, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const rows: CommissionLine[] = page.data.map(line);
    const actionable = rows.some((r) => r.status === "hold" || r.status === "pending");
    const columns = commissionColumns(fmt, base, actionable);
    return c.html(
      <Layout {...ctx.frame("commissions", "Commissions")}>
        <div class="head"><h1>Commissions</h1><StatusFilter base={`${base}/commissions`} current={status} counts={counts} filters={COMMISSION_FILTERS} /></div>
        <section class="panel">
          <p class="small muted">Held commissions come from the pixel, which anyone who can read your page could fire, or carry a fraud signal (the customer is the partner, the sale came within {program.minConversionSeconds} s of its click, or the visitor flooded the link): approve the real ones (they become pending and are approved for payout after the {program.holdDays}-day hold) and reject the rest.</p>
          <FlagFilter current={flag ?? ""} href={(value) => withQuery(c, { flag: value || null, cursor: null })} />
          <form method="get" action={`${base}/commissions`} class="row" aria-label="Partner filter">
            <input type="hidden" name="status" value={status || "all"} />
            {flag ? <input type="hidden" name="flag" value={flag} /> : null}
            <label for="f-partner">Partner</label>
            <select id="f-partner" name="partner"><option value="">Any partner</option>{dir.partners.map((p) => <option value={p.id} selected={p.id === partnerId}>{p.name}</option>)}</select>
            <button class="secondary small">Show</button>
          </form>
          <DataTable caption="Commissions" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "commissions" })}
            tools={<BulkActions action={`${base}/commissions`} csrf={c.var.csrf} show={actionable} />}
            empty={<Empty title={status === "hold" ? "Nothing waits for approval." : "No commissions here."}>{status === "hold" ? "Pixel conversions land here for review; postback conversions skip this step." : "Commissions appear when partners' links lead to sales."} <a href={`${base}/commissions?status=all`}>See all commissions</a>.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/commissions", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody({ all: true });
    const action = body["action"] as string;
    const raw = body["ids"];
    const ids = [...new Set((Array.isArray(raw) ? raw : raw ? [raw] : []).map(String))].slice(0, 500);
    const back = c.req.header("referer")?.startsWith(new URL(c.req.url).origin) ? c.req.header("referer")! : `${ctx.base}/commissions`;
    if (action !== "approve" && action !== "reject") return (setFlash(c, "app", "err", "Unknown action."), c.redirect(back, 303));
    if (ids.length === 0) return (setFlash(c, "app", "err", "Select at least one commission first."), c.redirect(back, 303));
    const name: ManagerAction = action;
    const { updated } = await decideCommissions(ctx.db, { vendorId: c.var.session.vendorId, programId: ctx.program.id }, ids, name, ctx.actor, ctx.now);
    const skipped = ids.length - updated.length;
    setFlash(c, "app", updated.length ? "ok" : "err", `${name === "approve" ? "Approved" : "Rejected"} ${updated.length} ${updated.length === 1 ? "commission" : "commissions"}${skipped ? `; ${skipped} could not be changed from their status` : ""}.`);
    return c.redirect(back, 303);
  });
  return app;
}
