import { Hono } from "hono";
import { Csrf, DataTable, Empty, Layout, type Column } from "../ui";
import { Pager } from "../pages/manager";
import { listProgramAnnouncements, type AnnouncementRow } from "../../src/db/queries/announcements";
import { listTiers } from "../../src/db/queries/tiers";
import { MAX_ANNOUNCEMENT_BODY, MAX_ANNOUNCEMENT_TITLE } from "../../src/domain/announcements";
import { publishAnnouncement } from "../../src/services/lifecycle/announcements";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

/** The program's announcements in the dashboard: what was sent to whom, how many read it, and a form to publish one. */
export function announcementRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/app/p/:pid/announcements", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const [page, tiers] = await Promise.all([
      listProgramAnnouncements(db, program.id, { limit: 100, cursor: c.req.query("cursor") ?? null }),
      listTiers(db, program.id),
    ]);
    const tierName = new Map(tiers.map((t) => [t.id, t.name]));
    const audience = (a: AnnouncementRow) => (a.tierIds === null ? "All partners" : a.tierIds.map((id) => tierName.get(id) ?? "(removed tier)").join(", "));
    const cols: Column<(typeof page.data)[number]>[] = [
      { label: "Published", value: (a) => new Date(a.createdAt).toISOString(), cell: (a) => fmt.time(a.createdAt) },
      { label: "Title", value: (a) => a.title },
      { label: "Text", value: (a) => a.body, cell: (a) => <span class="small">{a.body.length > 160 ? `${a.body.slice(0, 160)}…` : a.body}</span> },
      { label: "Audience", value: audience },
      { label: "Read by", value: (a) => a.readCount, num: true },
    ];
    if (wantsCsv(c, "announcements")) return tableCsv(cols, page.data, "announcements.csv");
    return c.html(
      <Layout {...ctx.frame("announcements", "Announcements")}>
        <div class="head"><h1>Announcements</h1></div>
        <section class="panel">
          <DataTable caption="Published announcements" columns={cols} rows={page.data} csv={withQuery(c, { format: "csv", table: "announcements" })}
            empty={<Empty title="No announcement yet.">Publish one below: partners see it in their portal and get it by e-mail.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
        <section class="panel">
          <h2>Publish an announcement</h2>
          <form method="post" action={`${base}/announcements`} class="stack">
            <Csrf token={c.var.csrf} />
            <div class="field"><label for="a-title">Title</label><input id="a-title" name="title" required maxlength={MAX_ANNOUNCEMENT_TITLE} /></div>
            <div class="field"><label for="a-body">Text</label><textarea id="a-body" name="body" rows={6} required maxlength={MAX_ANNOUNCEMENT_BODY}></textarea></div>
            <fieldset class="field"><legend>Tiers (none checked: every partner)</legend>
              {tiers.map((t) => <label><input type="checkbox" name="tierIds" value={t.id} /> {t.name}</label>)}
            </fieldset>
            <button>Publish and e-mail partners</button>
          </form>
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/announcements", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody({ all: true });
    const back = `${ctx.base}/announcements`;
    const title = String(body["title"] ?? "").trim();
    const text = String(body["body"] ?? "");
    const raw = body["tierIds"];
    const tierIds = (Array.isArray(raw) ? raw : raw ? [raw] : []).map(String);
    if (!title || title.length > MAX_ANNOUNCEMENT_TITLE || !text.trim() || text.length > MAX_ANNOUNCEMENT_BODY) {
      return (setFlash(c, "app", "err", `An announcement needs a title (up to ${MAX_ANNOUNCEMENT_TITLE} characters) and a text (up to ${MAX_ANNOUNCEMENT_BODY}).`), c.redirect(back, 303));
    }
    const outcome = await publishAnnouncement(ctx.db, ctx.program, { title, body: text, tierIds: tierIds.length ? tierIds : undefined }, ctx.actor, ctx.now);
    setFlash(c, "app", outcome.kind === "ok" ? "ok" : "err", outcome.kind === "ok" ? `"${title}" is published.` : "A selected tier no longer exists: reload the page and try again.");
    return c.redirect(back, 303);
  });
  return app;
}
