import { Hono } from "hono";
import { DataTable, Empty, Layout, type Column } from "../ui";
import { Pager } from "../pages/manager";
import { listMails, type MailRow } from "../../src/db/queries/mail";
import { MAIL_STATUSES, type MailStatus } from "../../src/db/schema";
import { renderBody } from "../../src/domain/mail";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import type { DashEnv } from "./session";

const STATUS_WORDS: Record<MailStatus, string> = { queued: "Waiting", sent: "Sent", failed: "Gave up" };

/**
 * The program's e-mail outbox: what afflux sent or will send (sign-in links, application
 * decisions…). Without SMTP configured (AFFLUX_SMTP_URL) mails wait here, and a manager can
 * pass a link on by hand; a sent mail no longer shows its secret link.
 */
export function outboxRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/outbox", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const q = c.req.query("status");
    const status = (MAIL_STATUSES as readonly string[]).includes(q ?? "") ? (q as MailStatus) : undefined;
    const page = await listMails(ctx.db, { vendorId: ctx.program.vendorId, programId: ctx.program.id, status }, { limit: 50, cursor: c.req.query("cursor") ?? null });
    const columns: Column<MailRow>[] = [
      { label: "Queued", value: (m) => new Date(m.createdAt).toISOString(), cell: (m) => ctx.fmt.time(m.createdAt) },
      { label: "To", value: (m) => m.to },
      { label: "Subject", value: (m) => m.subject },
      { label: "Status", value: (m) => STATUS_WORDS[m.status], cell: (m) => <span class="badge">{STATUS_WORDS[m.status]}</span> },
      { label: "Attempts", value: (m) => m.attempts, num: true, hideSm: true },
      { label: "Last error", value: (m) => m.lastError ?? "", hideSm: true },
      { label: "Message", value: (m) => m.body, noCsv: true, cell: (m) => <details><summary>Read</summary><pre class="mail">{renderBody(m.body, m.link)}</pre></details> },
    ];
    if (wantsCsv(c, "mails")) return tableCsv(columns, page.data, "outbox.csv");
    return c.html(
      <Layout {...ctx.frame("outbox", "Outbox")}>
        <div class="head"><h1>Outbox</h1></div>
        <section class="panel">
          <p class="small muted">E-mail to partners goes out from here. Without an SMTP server configured (AFFLUX_SMTP_URL) it waits here: open a message to copy its link.</p>
          <nav class="row" aria-label="Filter by status">
            {[["", "All"], ...Object.entries(STATUS_WORDS)].map(([value, label]) => (
              <a href={withQuery(c, { status: value || null, cursor: null })} aria-current={(status ?? "") === value ? "page" : undefined}>{label}</a>
            ))}
          </nav>
          <DataTable caption="Mails" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "mails" })}
            empty={<Empty title="No mail yet.">Sign-in links you create for partners are e-mailed from here.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });
  return app;
}
