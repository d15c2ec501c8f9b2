import { Hono } from "hono";
import { Layout } from "../ui";
import { DataTable, Empty, LinkCreateForm, linkColumns } from "../pages/manager";
import { getProgramPartner } from "../../src/db/queries/partners";
import { linkSlugs, listLinks } from "../../src/db/queries/links";
import { eachPage } from "../../src/db/queries/pagination";
import { createLink } from "../../src/services/links/createLink";
import { linkLine, mapPages, notFoundPage, pagedTableCsv, qrResponse, wantsCsv, withQuery } from "./common";
import { allLinks, partnerDirectory } from "./managerData";
import { partnerOption, programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

/** Tracked links: the list, creating one (through the same service as the API), a link's QR code. */
export function linkRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/links", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const columns = linkColumns(fmt, base, { partner: true, qrBase: `${base}/links` });
    const dir = await partnerDirectory(db, program.id);
    const line = (l: Awaited<ReturnType<typeof allLinks>>[number]) => linkLine(l, c.var.deps.publicUrl, dir.names.get(l.partnerId) ?? "?");
    const filter = { vendorId: c.var.session.vendorId, programId: program.id };
    if (wantsCsv(c, "links")) return pagedTableCsv(columns, mapPages(eachPage((p) => listLinks(db, filter, p)), (ls) => ls.map(line)), "links.csv");
    const rows = (await allLinks(db, filter.vendorId, { programId: program.id })).map(line);
    return c.html(
      <Layout {...ctx.frame("links", "Links")}>
        <div class="head"><h1>Links</h1></div>
        <section class="panel">
          <h2>Create a link</h2>
          {dir.partners.length ? (
            <LinkCreateForm action={`${base}/links`} csrf={c.var.csrf} partners={dir.partners.map(partnerOption)} domains={program.allowedDomains} />
          ) : (
            <p class="muted">Links belong to partners: <a href={`${base}/partners`}>add a partner</a> first.</p>
          )}
        </section>
        <section class="panel">
          <DataTable caption="Tracked links" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "links" })}
            tools={<span class="muted small">{fmt.count(rows.length, "link")} · all-time clicks</span>}
            empty={<Empty title="No links yet.">Create one above and share it: every click shows up within seconds.</Empty>} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/links", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody();
    const partnerId = String(body["partnerId"] ?? "");
    const partner = await getProgramPartner(ctx.db, ctx.program.id, partnerId);
    const back = c.req.header("referer")?.includes(`/partners/${partnerId}`) ? `${ctx.base}/partners/${partnerId}` : `${ctx.base}/links`;
    if (!partner) return (setFlash(c, "app", "err", "Pick a partner of this program."), c.redirect(back, 303));
    const slug = String(body["slug"] ?? "").trim() || undefined;
    const outcome = await createLink(ctx.db, ctx.program, { partnerId, destination: String(body["destination"] ?? "").trim().slice(0, 2048), slug, allowDeepLinks: body["allowDeepLinks"] === "1" }, ctx.now);
    if (outcome.kind === "invalid") setFlash(c, "app", "err", `The ${outcome.path} was refused: ${outcome.message}`);
    else if (outcome.kind === "slug_taken") setFlash(c, "app", "err", `The slug "${slug}" is taken. Pick another, or leave it empty.`);
    else {
      c.var.deps.linkCache.invalidate(outcome.link.slug);
      setFlash(c, "app", "ok", `Link ${c.var.deps.publicUrl}/${outcome.link.slug} created for ${partner.name}.`);
    }
    return c.redirect(back, 303);
  });

  app.get("/app/p/:pid/links/:lid/qr.svg", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const link = (await linkSlugs(ctx.db, ctx.program.id, [c.req.param("lid")])).get(c.req.param("lid"));
    if (!link) return notFoundPage(c, "app");
    return qrResponse(`${c.var.deps.publicUrl}/${link.slug}`);
  });
  return app;
}
