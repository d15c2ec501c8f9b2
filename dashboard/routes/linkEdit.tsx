import { Hono, type Context } from "hono";
import { Badge, CopyField, Csrf, DataTable, Empty, Layout, type Column } from "../ui";
import { FormError, formOf, refusalOf, type Refusal } from "../forms";
import { Facts, Pager } from "../pages/manager";
import { listLinkClicks, type ClickListRow } from "../../src/db/queries/clickList";
import { getLinkWithCounts, type LinkWithCounts } from "../../src/db/queries/links";
import { getProgramPartner } from "../../src/db/queries/partners";
import { DAY_MS, dayNumber, parseIsoDay } from "../../src/domain/dates";
import { isoFromDay, utcDay } from "../../src/domain/reporting";
import { changeLink } from "../../src/services/links/changeLink";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;
type Ctx = NonNullable<Awaited<ReturnType<typeof programPage>>>;
const CLICK_PAGE = 100;

/** A link's page (its full URL, editing, archiving) and its click log. */
export function linkEditRoutes() {
  const app = new Hono<DashEnv>();

  /** The link named in the path when it belongs to this program, else null (a 404). */
  const linkOf = async (c: C, ctx: Ctx) => {
    const link = await getLinkWithCounts(ctx.db, c.req.param("lid") ?? "");
    return link && link.programId === ctx.program.id ? link : null;
  };

  const detail = async (c: C, ctx: Ctx, link: LinkWithCounts, values: Record<string, string> | null, refusal: Refusal | null) => {
    const { base, fmt } = ctx;
    const partner = await getProgramPartner(ctx.db, ctx.program.id, link.partnerId);
    const url = `${c.var.deps.publicUrl}/${link.slug}`;
    const self = `${base}/links/${link.id}`;
    const destination = values ? values["destination"] ?? "" : link.destination;
    const deep = values ? values["allowDeepLinks"] === "1" : link.allowDeepLinks;
    return c.html(
      <Layout {...ctx.frame("links", `Link ${link.slug}`)}>
        <div class="head"><div><p class="small muted"><a href={`${base}/links`}>Links</a> /</p><h1>Link {link.slug} {link.archived ? <Badge status="archived" /> : null}</h1></div></div>
        <section class="panel">
          <h2>Tracking URL</h2>
          {/* the whole URL as selectable text (it wraps at any width) and a field with a copy button */}
          <p class="mono" id="link-url-text">{url}</p>
          <CopyField id="link-url" value={url} label="Tracking URL" />
          <Facts items={[
            ["Partner", partner ? <a href={`${base}/partners/${partner.id}`}>{partner.name}</a> : "?"], ["Destination", <span class="mono">{link.destination}</span>],
            ["Deep links", link.allowDeepLinks ? "allowed (?to=)" : "not allowed"], ["Clicks", `${fmt.n(link.clicks)} (${fmt.n(link.botClicks)} by bots)`],
            ["Created", fmt.day(link.createdAt)], ["Status", link.archived ? "archived: answers 404, records nothing" : "active"],
          ]} />
          <p><a href={`${self}/clicks`}>Click log →</a> · <a href={`${base}/links/${link.id}/qr.svg`}>QR code</a></p>
        </section>
        <section class="panel">
          <h2>Edit</h2>
          <FormError refusal={refusal} />
          <form method="post" action={self} class="form">
            <Csrf token={c.var.csrf} />
            <div class="field full">
              <label for="le-dest">Destination URL</label>
              <input id="le-dest" name="destination" type="url" required maxlength={2048} value={destination} aria-describedby="le-dest-h" />
              <span class="hint" id="le-dest-h">Allowed hosts: {ctx.program.allowedDomains.join(", ")}</span>
            </div>
            <label class="check"><input type="checkbox" name="allowDeepLinks" value="1" checked={deep} /> Allow deep links (?to=)</label>
            <button>Save link</button>
          </form>
        </section>
        <section class="panel">
          <h2>{link.archived ? "Unarchive" : "Archive"}</h2>
          <p class="small muted">{link.archived ? "Unarchived, the link redirects and records clicks again." : "An archived link answers 404 and records nothing; its history stays."}</p>
          <form method="post" action={`${self}/archive`} class="row">
            <Csrf token={c.var.csrf} />
            <input type="hidden" name="archived" value={link.archived ? "0" : "1"} />
            <button class={link.archived ? "secondary" : "danger"}>{link.archived ? "Unarchive link" : "Archive link"}</button>
          </form>
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };

  app.get("/app/p/:pid/links/:lid", async (c) => {
    const ctx = await programPage(c);
    const link = ctx && (await linkOf(c, ctx));
    if (!ctx || !link) return notFoundPage(c, "app");
    return detail(c, ctx, link, null, null);
  });

  app.post("/app/p/:pid/links/:lid", async (c) => {
    const ctx = await programPage(c);
    const link = ctx && (await linkOf(c, ctx));
    if (!ctx || !link) return notFoundPage(c, "app");
    const f = await formOf(c);
    const outcome = await changeLink(ctx.db, ctx.program, link, { destination: (f["destination"] ?? "").trim().slice(0, 2048), allowDeepLinks: f["allowDeepLinks"] === "1" }, ctx.now, ctx.actor);
    const refused = refusalOf(outcome, { destination: "the destination" });
    if (refused) return detail(c, ctx, link, f, refused);
    c.var.deps.linkCache.invalidate(link.slug);
    setFlash(c, "app", "ok", `Link ${link.slug} saved; redirects use it within seconds.`);
    return c.redirect(`${ctx.base}/links/${link.id}`, 303);
  });

  app.post("/app/p/:pid/links/:lid/archive", async (c) => {
    const ctx = await programPage(c);
    const link = ctx && (await linkOf(c, ctx));
    if (!ctx || !link) return notFoundPage(c, "app");
    const archived = (await formOf(c))["archived"] !== "0";
    await changeLink(ctx.db, ctx.program, link, { archived }, ctx.now, ctx.actor);
    c.var.deps.linkCache.invalidate(link.slug);
    setFlash(c, "app", "ok", archived ? `Link ${link.slug} archived: it answers 404 from now on.` : `Link ${link.slug} is active again.`);
    return c.redirect(`${ctx.base}/links/${link.id}`, 303);
  });

  // the same query, range and paging as GET /api/v1/links/:id/clicks
  app.get("/app/p/:pid/links/:lid/clicks", async (c) => {
    const ctx = await programPage(c);
    const link = ctx && (await linkOf(c, ctx));
    if (!ctx || !link) return notFoundPage(c, "app");
    const { fmt, base } = ctx;
    const rawFrom = c.req.query("from") ?? "";
    const rawTo = c.req.query("to") ?? "";
    const day = (raw: string) => { const r = parseIsoDay(raw, ctx.now); return r.ok ? dayNumber(r.ms) : null; };
    let refusal: Refusal | null = null;
    const toDay = rawTo ? day(rawTo) : utcDay(ctx.now);
    const fromDay = rawFrom ? day(rawFrom) : toDay === null ? null : toDay - 29;
    if (toDay === null || fromDay === null) refusal = { text: "The dates were refused: use real days, YYYY-MM-DD.", status: 400 };
    else if (fromDay > toDay) refusal = { text: `The dates were refused: “from” (${rawFrom}) is after “to” (${rawTo || isoFromDay(toDay)}).`, status: 400 };
    const page = refusal
      ? { data: [] as ClickListRow[], nextCursor: null }
      : await listLinkClicks(ctx.db, link.num, { fromMs: fromDay! * DAY_MS, toMs: (toDay! + 1) * DAY_MS }, { limit: CLICK_PAGE, cursor: c.req.query("cursor") ?? null });
    const cols: Column<ClickListRow>[] = [
      { label: "When", value: (r) => new Date(r.ts).toISOString(), cell: (r) => fmt.time(r.ts) },
      { label: "Bot", value: (r) => (r.bot ? "bot" : ""), cell: (r) => (r.bot ? <Badge status="bot" /> : "–") },
      { label: "Country", value: (r) => r.country },
      { label: "Device", value: (r) => r.device },
      { label: "Browser", value: (r) => r.browser, hideSm: true },
      { label: "OS", value: (r) => r.os, hideSm: true },
      { label: "Referrer", value: (r) => r.referrerHost, hideSm: true },
      { label: "sub1", value: (r) => r.sub1, hideSm: true },
      { label: "sub2", value: (r) => r.sub2, hideSm: true },
    ];
    if (wantsCsv(c, "clicks") && !refusal) {
      // every click of the days, not one page
      const all: ClickListRow[] = [];
      let cursor: string | null = null;
      do {
        const next: Awaited<ReturnType<typeof listLinkClicks>> = await listLinkClicks(ctx.db, link.num, { fromMs: fromDay! * DAY_MS, toMs: (toDay! + 1) * DAY_MS }, { limit: 1000, cursor });
        all.push(...next.data);
        cursor = next.nextCursor;
      } while (cursor);
      return tableCsv(cols, all, `${link.slug}-clicks.csv`);
    }
    const self = `${base}/links/${link.id}/clicks`;
    return c.html(
      <Layout {...ctx.frame("links", `Clicks of ${link.slug}`)}>
        <div class="head"><div><p class="small muted"><a href={`${base}/links`}>Links</a> / <a href={`${base}/links/${link.id}`}>{link.slug}</a> /</p><h1>Click log of {link.slug}</h1></div></div>
        <section class="panel">
          <form method="get" action={self} class="row" aria-label="Days">
            <div class="field"><label for="cl-from">From</label><input type="date" id="cl-from" name="from" value={rawFrom || (fromDay !== null ? isoFromDay(fromDay) : "")} /></div>
            <div class="field"><label for="cl-to">To</label><input type="date" id="cl-to" name="to" value={rawTo || (toDay !== null ? isoFromDay(toDay) : "")} /></div>
            <button class="secondary">Show</button>
          </form>
          <FormError refusal={refusal} />
          <DataTable caption="Clicks, newest first" columns={cols} rows={page.data} csv={withQuery(c, { format: "csv", table: "clicks" })}
            tools={<span class="muted small">UTC days, newest first; never an IP address. Clicks show here a few seconds after they happen.</span>}
            empty={<Empty title="No clicks in these days.">Share the link, or pick other days.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  });
  return app;
}
