import { Hono } from "hono";
import { Layout } from "../ui";
import { DataTable, Empty, Pager } from "../pages/manager";
import { auditColumns, type AuditLine } from "../pages/audit";
import { listAudit, type AuditFilter, type EventRow } from "../../src/db/queries/events";
import type { Db } from "../../src/db/client";
import { badRequestPage, dayQuery, notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import type { DashEnv } from "./session";

const DAY_MS = 86_400_000;
/** A CSV holds every matching row; this bounds one export's memory (a program's whole history fits). */
const CSV_MAX_ROWS = 100_000;

const line = (e: EventRow): AuditLine => ({
  at: e.createdAt, action: e.action ?? "", objectType: e.objectType, objectId: e.objectId, changes: e.changes ?? {},
  actor: e.actorKind === "partner" ? `partner ${e.actorPartnerId ?? ""}` : e.actorKeyId ? `${e.actorKind} (key ${e.actorKeyId})` : e.actorKind,
});

async function everyEntry(db: Db, filter: AuditFilter): Promise<EventRow[]> {
  const rows: EventRow[] = [];
  let cursor: string | null = null;
  do {
    const page = await listAudit(db, filter, { limit: 1000, cursor });
    rows.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor && rows.length < CSV_MAX_ROWS);
  return rows;
}

/** The audit log of a program: who changed what, newest first, filtered by object and UTC days. */
export function auditRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/audit", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const from = dayQuery(c, "from", ctx.now);
    const toDay = dayQuery(c, "to", ctx.now);
    if (from === null || toDay === null) return badRequestPage(c, "app", "Dates must be real calendar days (YYYY-MM-DD) between 2000-01-01 and 100 years from now.");
    const objectId = (c.req.query("objectId") ?? "").trim().slice(0, 100) || undefined;
    // admin keys (and whatever else belongs to no program) are logged for the account: "all" shows them
    const all = c.req.query("scope") === "all";
    const filter: AuditFilter = { vendorId: program.vendorId, programId: all ? undefined : program.id, objectId, from, to: toDay === undefined ? undefined : toDay + DAY_MS };
    const columns = auditColumns((ms) => fmt.time(ms));
    if (wantsCsv(c, "audit")) return tableCsv(columns, (await everyEntry(db, filter)).map(line), "audit.csv");
    const page = await listAudit(db, filter, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const rows = page.data.map(line);
    return c.html(
      <Layout {...ctx.frame("audit", "Audit log")}>
        <div class="head"><h1>Audit log</h1></div>
        <section class="panel">
          <form method="get" action={`${base}/audit`} class="form" aria-label="Filters">
            <div class="field"><label for="f-scope">Changes of</label><select id="f-scope" name="scope"><option value="">This program</option><option value="all" selected={all}>All programs and the account (admin keys)</option></select></div>
            <div class="field"><label for="f-object">Object id</label><input id="f-object" name="objectId" value={objectId ?? ""} placeholder="ptn_…, rule_…, key_…" /></div>
            <div class="field"><label for="f-from">From</label><input type="date" id="f-from" name="from" value={c.req.query("from") ?? ""} /></div>
            <div class="field"><label for="f-to">To</label><input type="date" id="f-to" name="to" value={c.req.query("to") ?? ""} /></div>
            <button class="secondary">Filter</button>
          </form>
        </section>
        <section class="panel">
          <DataTable caption="Audit log" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "audit", cursor: null })}
            empty={<Empty title="Nothing recorded here.">Every change made by you, your team's keys or your partners (settings, rules, tiers, partners, keys, commission decisions, payouts, links) shows up here.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });
  return app;
}
