import { Hono } from "hono";
import { Csrf, DataTable, Empty, Layout, type Column } from "../ui";
import { Pager } from "../pages/manager";
import { getPartnerAnnouncement, listPartnerAnnouncements } from "../../src/db/queries/announcements";
import { getPartner } from "../../src/db/queries/partners";
import { MAX_COMMENT_CHARS } from "../../src/domain/satisfaction";
import { submitSatisfaction } from "../../src/services/lifecycle/satisfaction";
import { markAnnouncementRead } from "../../src/db/queries/announcements";
import { notFoundPage, withQuery } from "./common";
import { partnerPage } from "./portal";
import { setFlash, type DashEnv } from "./session";

export const announcementsNav = { id: "announcements", label: "Announcements", href: "/portal/announcements" };

/** The quarterly question on the portal's home page, until the partner answers it this quarter. */
export function SatisfactionAsk({ csrf, program }: { csrf: string; program: string }) {
  return (
    <section class="panel" id="satisfaction">
      <h2>How are we doing?</h2>
      <form method="post" action="/portal/satisfaction" class="stack">
        <Csrf token={csrf} />
        <div class="field">
          <label for="s-score">How likely are you to recommend the {program} partner program to a friend? (0 = not at all, 10 = extremely)</label>
          <select id="s-score" name="score" required>
            <option value="">Choose a score</option>
            {Array.from({ length: 11 }, (_, i) => <option value={String(i)}>{i}</option>)}
          </select>
        </div>
        <div class="field"><label for="s-comment">Anything to tell us? (optional)</label><textarea id="s-comment" name="comment" rows={3} maxlength={MAX_COMMENT_CHARS}></textarea></div>
        <button>Send my answer</button>
      </form>
      <p class="small muted">We ask once a quarter.</p>
    </section>
  );
}

/** The partner's announcements (unread first) and the satisfaction answer. */
export function portalEngageRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/portal/announcements", async (c) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const { db, partner, fmt } = ctx;
    const page = await listPartnerAnnouncements(db, partner, { limit: 50, cursor: c.req.query("cursor") ?? null });
    // unread first, each group newest first (the list arrives newest first; sort is stable)
    const rows = [...page.data].sort((a, b) => Number(a.readAt !== null) - Number(b.readAt !== null));
    const cols: Column<(typeof rows)[number]>[] = [
      { label: "Published", value: (a) => new Date(a.createdAt).toISOString(), cell: (a) => fmt.time(a.createdAt) },
      { label: "Announcement", value: (a) => a.title, cell: (a) => <div class="announcement"><strong>{a.title}</strong>{a.body.split(/\n\s*\n/).map((p) => <p>{p}</p>)}</div> },
      {
        label: "Status", value: (a) => (a.readAt === null ? "unread" : "read"),
        cell: (a) => a.readAt === null ? (
          <form method="post" action={`/portal/announcements/${a.id}/read`}>
            <Csrf token={c.var.csrf} />
            <button class="small" aria-label={`Mark "${a.title}" read`}>Mark read</button>
          </form>
        ) : <span class="small muted">read {fmt.time(a.readAt)}</span>,
      },
    ];
    return c.html(
      <Layout {...ctx.frame("announcements", "Announcements")}>
        <div class="head"><h1>Announcements</h1></div>
        <section class="panel">
          <DataTable caption="Announcements from the program, unread first" columns={cols} rows={rows} empty={<Empty title="No announcements yet.">News from the program shows up here.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/portal/announcements/:id/read", async (c) => {
    const { db, now } = c.var.deps;
    const partner = await getPartner(db, c.var.session.partnerId ?? "");
    const found = partner && (await getPartnerAnnouncement(db, partner, c.req.param("id")));
    if (!partner || !found) return notFoundPage(c, "portal");
    await markAnnouncementRead(db, found.id, partner.id, now());
    setFlash(c, "portal", "ok", `"${found.title}" is marked read.`);
    return c.redirect("/portal/announcements", 303);
  });

  app.post("/portal/satisfaction", async (c) => {
    const { db, now } = c.var.deps;
    const partner = await getPartner(db, c.var.session.partnerId ?? "");
    if (!partner) return notFoundPage(c, "portal");
    const body = await c.req.parseBody();
    const raw = String(body["score"] ?? "");
    const score = Number(raw);
    const comment = String(body["comment"] ?? "");
    if (!/^\d{1,2}$/.test(raw) || score > 10) return (setFlash(c, "portal", "err", "Choose a score from 0 to 10."), c.redirect("/portal#satisfaction", 303));
    if (comment.length > MAX_COMMENT_CHARS) return (setFlash(c, "portal", "err", `A comment is limited to ${MAX_COMMENT_CHARS} characters.`), c.redirect("/portal#satisfaction", 303));
    const outcome = await submitSatisfaction(db, partner, { score, comment }, now());
    setFlash(c, "portal", outcome.kind === "ok" ? "ok" : "err", outcome.kind === "ok" ? "Thank you for your answer." : "You already answered this quarter.");
    return c.redirect("/portal", 303);
  });
  return app;
}
