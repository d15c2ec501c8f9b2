import { Hono, type Context } from "hono";
import { Layout } from "../ui";
import { FormError, formOf, SearchForm, type Refusal } from "../forms";
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
  const listPage = async (c: Context<DashEnv>, ctx: NonNullable<Awaited<ReturnType<typeof programPage>>>, values: Record<string, string>, refusal: Refusal | null) => {
    const { db, program, base, fmt } = ctx;
    const q = (c.req.query("q") ?? "").trim().slice(0, 200);
    const columns = linkColumns(fmt, base, { partner: true, qrBase: `${base}/links`, manage: true });
    const dir = await partnerDirectory(db, program.id);
    const line = (l: Awaited<ReturnType<typeof allLinks>>[number]) => linkLine(l, c.var.deps.publicUrl, dir.names.get(l.partnerId) ?? "?");
    const filter = { vendorId: c.var.session.vendorId, programId: program.id, q };
    if (wantsCsv(c, "links")) return pagedTableCsv(columns, mapPages(eachPage((p) => listLinks(db, filter, p)), (ls) => ls.map(line)), "links.csv");
    const rows = (await allLinks(db, filter.vendorId, { programId: program.id, q })).map(line);
    return c.html(
      <Layout {...ctx.frame("links", "Links")}>
        <div class="head"><h1>Links</h1></div>
        <section class="panel">
          <h2>Create a link</h2>
          {dir.partners.length ? (
            <><FormError refusal={refusal} /><LinkCreateForm action={`${base}/links`} csrf={c.var.csrf} partners={dir.partners.map(partnerOption)} domains={program.allowedDomains} selected={values["partnerId"]} values={values} /></>
          ) : (
            <p class="muted">Links belong to partners: <a href={`${base}/partners`}>add a partner</a> first.</p>
          )}
        </section>
        <section class="panel">
          <DataTable caption="Tracked links" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "links" })}
            tools={<><SearchForm action={`${base}/links`} q={q} label="Search links" /><span class="muted small">{fmt.count(rows.length, "link")}{q ? ` matching “${q}”` : ""} · all-time clicks</span></>}
            empty={q ? <Empty title={`No link matches “${q}”.`}>Search by slug, destination, or the partner's name or email.</Empty> : <Empty title="No links yet.">Create one above and share it: every click shows up within seconds.</Empty>} />
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };
  app.get("/app/p/:pid/links", async (c) => {
    const ctx = await programPage(c);
    return ctx ? listPage(c, ctx, {}, null) : notFoundPage(c, "app");
  });

  app.post("/app/p/:pid/links", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await formOf(c);
    const partnerId = String(body["partnerId"] ?? "");
    const partner = await getProgramPartner(ctx.db, ctx.program.id, partnerId);
    const back = c.req.header("referer")?.includes(`/partners/${partnerId}`) ? `${ctx.base}/partners/${partnerId}` : `${ctx.base}/links`;
    // a refused link is shown again on the Links page with what was typed (and the partner picked)
    if (!partner) return listPage(c, ctx, body, { text: "Nothing was saved: pick a partner of this program.", status: 400 });
    const slug = String(body["slug"] ?? "").trim() || undefined;
    const outcome = await createLink(ctx.db, ctx.program, { partnerId, destination: String(body["destination"] ?? "").trim().slice(0, 2048), slug, allowDeepLinks: body["allowDeepLinks"] === "1" }, ctx.now, ctx.actor);
    if (outcome.kind === "invalid") return listPage(c, ctx, body, { text: `Nothing was saved: the ${outcome.path} was refused: ${outcome.message}`, status: 400 });
    if (outcome.kind === "slug_taken") return listPage(c, ctx, body, { text: `Nothing was saved: the slug "${slug}" is taken. Pick another, or leave it empty.`, status: 409 });
    c.var.deps.linkCache.invalidate(outcome.link.slug);
    setFlash(c, "app", "ok", `Link ${c.var.deps.publicUrl}/${outcome.link.slug} created for ${partner.name}.`);
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
