import { Hono, type Context } from "hono";
import { Layout, Badge, CopyField, DataTable, Empty, type Column } from "../ui";
import { KpiTiles, ResultsChart, PeriodPicker, TopList } from "../pages/overview";
import { COMMISSION_FILTERS, commissionColumns, Facts, LinkCreateForm, linkColumns, Pager, StatusFilter, type CommissionLine } from "../pages/manager";
import { COMMISSION_STATUSES, type CommissionStatus } from "../../src/db/schema";
import { listCommissions, partnerBalance } from "../../src/db/queries/commissions";
import { getPartner } from "../../src/db/queries/partners";
import { getProgram } from "../../src/db/queries/programs";
import { listPartnerPayouts, paidOut } from "../../src/db/queries/payouts";
import { listTiers, partnerMetrics } from "../../src/db/queries/tiers";
import { nextTierGap } from "../../src/domain/tiers";
import { createLink } from "../../src/services/links/createLink";
import { orderFactsOf } from "../../src/db/queries/conversions";
import { partnerPayoutPage } from "../../src/db/queries/dashboard";
import { eachPage } from "../../src/db/queries/pagination";
import { badRequestPage, dayColumns, fmtFor, linkLine, mapPages, notFoundPage, pagedTableCsv, pageHeaders, periodOf, previousPeriod, qrResponse, tableCsv, wantsCsv, withQuery } from "./common";
import { allLinks, best, report } from "./managerData";
import { portalPostbackRoutes } from "./portalPostbacks";
import { sessionActor, sessionGate, setFlash, takeFlash, type DashEnv } from "./session";
import { portalKeyRoutes } from "./portalKey";
import { coSellingNav, portalCosellingRoutes } from "./portalCoselling";
import { agreementGate, portalAgreementRoutes } from "./portalAgreement";
import { badgeUrls } from "../../src/http/api/lifecyclePresent";
import { announcementsNav, portalEngageRoutes, SatisfactionAsk } from "./portalEngage";
import { mustAskSatisfaction } from "../../src/services/lifecycle/satisfaction";
import { unreadAnnouncementCount } from "../../src/db/queries/announcements";

type C = Context<DashEnv>;

const portalNav = [
  { id: "home", label: "My results", href: "/portal" },
  { id: "links", label: "My links", href: "/portal/links" },
  { id: "earnings", label: "Earnings & payouts", href: "/portal/earnings" },
  announcementsNav,
  { id: "key", label: "My key", href: "/portal/key" },
  ...coSellingNav,
  { id: "postbacks", label: "Postbacks", href: "/portal/postbacks" },
];

/** The signed-in partner and its program; everything on the portal is scoped to them. */
export async function partnerPage(c: C) {
  const { db } = c.var.deps;
  const partner = await getPartner(db, c.var.session.partnerId ?? "");
  const program = partner && (await getProgram(db, partner.programId));
  if (!partner || !program) return null;
  pageHeaders(c);
  const fmt = fmtFor(c, program.currency);
  const frame = (current: string, title: string) => ({ title, area: "portal" as const, nav: portalNav, current, csrf: c.var.csrf, who: `${partner.name} · ${program.name}`, flash: takeFlash(c, "portal") });
  const links = () => allLinks(db, program.vendorId, { programId: program.id, partnerId: partner.id });
  return { db, partner, program, fmt, frame, links, now: c.var.deps.now() };
}

export function portalRoutes() {
  const app = new Hono<DashEnv>();
  app.use("/portal", sessionGate("portal"));
  app.use("/portal/*", sessionGate("portal"));
  app.use("/portal", agreementGate());
  app.use("/portal/*", agreementGate());
  app.route("/", portalAgreementRoutes());
  app.route("/", portalKeyRoutes());
  app.route("/", portalEngageRoutes());

  app.get("/portal", async (c) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const { db, partner, program, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    if (period.problem) return badRequestPage(c, "portal", period.problem);
    const [days, prev, bySub, balance, paid, tiers, ask, unread] = await Promise.all([
      report(db, program, period, "day", partner.num), report(db, program, previousPeriod(period), "day", partner.num), report(db, program, period, "sub1", partner.num),
      partnerBalance(db, partner.id), paidOut(db, partner.id), listTiers(db, program.id), mustAskSatisfaction(db, partner.id, ctx.now), unreadAnnouncementCount(db, partner),
    ]);
    if (wantsCsv(c, "days")) return tableCsv(dayColumns(fmt), days.rows, `my-results-${period.from}-${period.to}.csv`);
    const badge = badgeUrls(partner, c.var.deps);
    const tier = tiers.find((t) => t.id === partner.tierId);
    const metrics = (await partnerMetrics(db, program.id, tiers.map((t) => t.windowDays), ctx.now)).get(partner.id) ?? { byWindow: new Map() };
    const gap = tier ? nextTierGap(tiers, tier.rank, metrics) : null;
    const reached = gap ? Math.max(0, gap.tier.threshold - gap.missing) : 0;
    const need = gap ? (gap.tier.metric === "revenue" ? fmt.m(gap.missing) + " more revenue" : `${fmt.n(gap.missing)} more conversions`) : "";
    return c.html(
      <Layout {...ctx.frame("home", "My results")}>
        <div class="head"><h1>Hello, {partner.name}</h1><PeriodPicker period={period} action="/portal" /></div>
        {unread > 0 ? <p class="panel" role="status"><a href="/portal/announcements">{unread === 1 ? "1 unread announcement" : `${unread} unread announcements`}</a></p> : null}
        {ask ? <SatisfactionAsk csrf={c.var.csrf} program={program.name} /> : null}
        <KpiTiles t={days.totals} prev={prev.totals} fmt={fmt} />
        <ResultsChart title="My clicks, conversions and revenue" points={days.rows.map((r) => ({ day: r.key!, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} fmt={fmt} period={period} action="/portal" csv={withQuery(c, { format: "csv", table: "days" })} />
        <div class="grid">
          <section class="panel">
            <h2>My tier: {tier?.name ?? "?"}</h2>
            {gap ? (
              <>
                <p>Next: <strong>{gap.tier.name}</strong> at {gap.tier.metric === "revenue" ? fmt.m(gap.tier.threshold) + " revenue" : `${fmt.n(gap.tier.threshold)} conversions`} over {gap.tier.windowDays} days.</p>
                <div class="progress" role="progressbar" aria-label={`Progress to ${gap.tier.name}`} aria-valuemin={0} aria-valuemax={gap.tier.threshold} aria-valuenow={reached}>
                  <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect width={String(gap.tier.threshold > 0 ? Math.round((reached / gap.tier.threshold) * 100) : 100)} height="10" /></svg>
                </div>
                <p class="small">{gap.missing > 0 ? `You need ${need}.` : "You have reached it: you move up at the next settle."}</p>
              </>
            ) : (
              <p>You are in the top tier. Well done.</p>
            )}
          </section>
          <section class="panel">
            <h2>My earnings</h2>
            <Facts items={[["Held for review", fmt.m(balance.hold)], ["Pending (in the refund window)", fmt.m(balance.pending)], ["Approved, to be paid", fmt.m(balance.approved)], ["Paid out", fmt.m(paid)]]} />
            <p class="small"><a href="/portal/earnings">See every commission and payout</a></p>
          </section>
          <TopList title="By sub id (sub1)" fmt={fmt} empty="Add ?sub1=… to your links to see which placement works best." items={best(bySub.rows, 6).map((r) => ({ label: r.key ?? "(none)", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
        </div>
        {badge.badgeUrl ? (
          <section class="panel">
            <h2>Your partner badge</h2>
            <p class="small">Show visitors that you are an official partner: paste this HTML into your site. The badge links to a page that confirms it.</p>
            <CopyField id="badge-html" label="Badge HTML" value={`<a href="${badge.verifyUrl}"><img src="${badge.badgeUrl}" alt="${program.name.replace(/[<>&"]/g, "")} partner" width="240" height="64"></a>`} />
          </section>
        ) : null}
      </Layout>,
    );
  });

  app.get("/portal/links", async (c) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const { fmt, partner, program } = ctx;
    const rows = (await ctx.links()).map((l) => linkLine(l, c.var.deps.publicUrl, partner.name));
    const columns = linkColumns(fmt, "/portal", { partner: false, qrBase: "/portal/links" });
    columns[0] = { ...columns[0]!, cell: (l) => <><CopyField id={`u-${l.id}`} value={l.url} label={`Tracking URL ${l.slug}`} /><a class="small" href={`/portal/links/${l.id}`}>Details</a></> };
    if (wantsCsv(c, "links")) return tableCsv(columns, rows, "my-links.csv");
    const example = rows[0]?.url ?? `${c.var.deps.publicUrl}/your-link`;
    return c.html(
      <Layout {...ctx.frame("links", "My links")}>
        <h1>My links</h1>
        <section class="panel">
          <DataTable caption="My tracked links" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "links" })}
            empty={<Empty title="You have no links yet.">Create your first one below, then share it: clicks show up within seconds.</Empty>} />
        </section>
        <div class="grid">
          <section class="panel"><h2>New link</h2><LinkCreateForm action="/portal/links" csrf={c.var.csrf} domains={program.allowedDomains} /></section>
          <section class="panel">
            <h2>Sub ids</h2>
            <p>Add <span class="mono">sub1</span> … <span class="mono">sub5</span> to any link to tell placements apart, for example:</p>
            <p class="mono">{example}?sub1=newsletter&amp;sub2=may</p>
            <p class="small muted">Sub ids are recorded with each click, passed on to the shop, and your results can be split by sub1 on <a href="/portal">My results</a>.</p>
          </section>
        </div>
      </Layout>,
    );
  });

  app.post("/portal/links", async (c) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const body = await c.req.parseBody();
    const slug = String(body["slug"] ?? "").trim() || undefined;
    const outcome = await createLink(ctx.db, ctx.program, { partnerId: ctx.partner.id, destination: String(body["destination"] ?? "").trim().slice(0, 2048), slug, allowDeepLinks: false }, ctx.now, sessionActor(c.var.session));
    if (outcome.kind === "invalid") setFlash(c, "portal", "err", `The ${outcome.path} was refused: ${outcome.message}`);
    else if (outcome.kind === "slug_taken") setFlash(c, "portal", "err", `The slug "${slug}" is taken. Pick another, or leave it empty.`);
    else {
      c.var.deps.linkCache.invalidate(outcome.link.slug);
      setFlash(c, "portal", "ok", `Your link ${c.var.deps.publicUrl}/${outcome.link.slug} is ready to share.`);
    }
    return c.redirect("/portal/links", 303);
  });

  const ownLink = async (c: C) => {
    const ctx = await partnerPage(c);
    const link = ctx && (await ctx.links()).find((l) => l.id === c.req.param("lid"));
    return ctx && link ? { ctx, link } : null;
  };

  app.get("/portal/links/:lid/qr.svg", async (c) => {
    const found = await ownLink(c);
    return found ? qrResponse(`${c.var.deps.publicUrl}/${found.link.slug}`) : notFoundPage(c, "portal");
  });

  app.get("/portal/links/:lid", async (c) => {
    const found = await ownLink(c);
    if (!found) return notFoundPage(c, "portal");
    const { ctx, link } = found;
    const url = `${c.var.deps.publicUrl}/${link.slug}`;
    return c.html(
      <Layout {...ctx.frame("links", `Link /${link.slug}`)}>
        <p class="small muted"><a href="/portal/links">My links</a> /</p>
        <h1>Link <span class="mono">/{link.slug}</span> {link.archived ? <Badge status="archived" /> : null}</h1>
        <div class="grid">
          <section class="panel">
            <CopyField id="link-url" value={url} label="Tracking URL" />
            <Facts items={[["Goes to", <span class="mono">{link.destination}</span>], ["Clicks", ctx.fmt.n(link.clicks)], ["Bot clicks (not counted)", ctx.fmt.n(link.botClicks)], ["Created", ctx.fmt.day(link.createdAt)]]} />
          </section>
          <section class="panel">
            <h2>QR code</h2>
            <img class="qr" src={`/portal/links/${link.id}/qr.svg`} alt={`QR code for ${url}`} width="180" height="180" />
            <p><a href={`/portal/links/${link.id}/qr.svg`} download={`${link.slug}.svg`}>Download SVG</a></p>
          </section>
        </div>
      </Layout>,
    );
  });

  app.get("/portal/earnings", async (c) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const { db, partner, fmt } = ctx;
    const q = c.req.query("status");
    const status = COMMISSION_STATUSES.includes(q as CommissionStatus) ? (q as CommissionStatus) : undefined;
    const filter = { partnerId: partner.id, status };
    const lines = async (data: Awaited<ReturnType<typeof listCommissions>>["data"]): Promise<CommissionLine[]> => {
      const facts = await orderFactsOf(db, data.map((m) => m.conversionId));
      return data.map((m) => ({ ...m, partner: partner.name, orderId: facts.get(m.conversionId)?.orderId, slug: facts.get(m.conversionId)?.slug ?? null }));
    };
    const columns = commissionColumns(fmt, null, false);
    if (wantsCsv(c, "commissions")) return pagedTableCsv(columns, mapPages(eachPage((p) => listCommissions(db, filter, p)), lines), "my-commissions.csv");
    const [balance, paid, page, payouts] = await Promise.all([
      partnerBalance(db, partner.id), paidOut(db, partner.id),
      listCommissions(db, filter, { limit: 100, cursor: c.req.query("cursor") ?? null }), listPartnerPayouts(db, partner.id),
    ]);
    const rows = await lines(page.data);
    const payoutCols: Column<(typeof payouts)[number]>[] = [
      { label: "Created", value: (p) => new Date(p.createdAt).toISOString(), cell: (p) => fmt.day(p.createdAt) },
      { label: "Amount", value: (p) => fmt.plain(p.amount), cell: (p) => fmt.m(p.amount), num: true },
      { label: "Commissions", value: (p) => p.commissionCount, num: true },
      { label: "Status", value: (p) => p.status, cell: (p) => <Badge status={p.status} payout /> },
      { label: "Paid", value: (p) => (p.paidAt ? new Date(p.paidAt).toISOString() : null), cell: (p) => (p.paidAt ? fmt.day(p.paidAt) : "–") },
    ];
    if (wantsCsv(c, "payouts")) return pagedTableCsv(payoutCols, eachPage((p) => partnerPayoutPage(db, partner.id, p)), "my-payouts.csv");
    return c.html(
      <Layout {...ctx.frame("earnings", "Earnings & payouts")}>
        <h1>Earnings &amp; payouts</h1>
        <section class="kpis" aria-label="Balance by status">
          {([["Held for review", balance.hold], ["Pending", balance.pending], ["Approved, to be paid", balance.approved], ["Paid out", paid]] as const).map(([l, v]) => (
            <div class="kpi"><div class="l">{l}</div><div class="v">{fmt.m(v)}</div></div>
          ))}
        </section>
        <section class="panel">
          <h2>Payouts</h2>
          <DataTable caption="My payouts" columns={payoutCols} rows={payouts} csv={withQuery(c, { format: "csv", table: "payouts" })} empty={<Empty title="No payouts yet.">Approved commissions are paid out once they reach {fmt.m(ctx.program.minPayout)}.</Empty>} />
        </section>
        <section class="panel">
          <div class="head"><h2>Commissions</h2><StatusFilter base="/portal/earnings" current={status ?? ""} filters={COMMISSION_FILTERS} /></div>
          <DataTable caption="My commissions" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "commissions" })} empty={<Empty title="No commissions here.">Share your links: each sale they bring earns a commission that shows up here.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.route("/", portalCosellingRoutes());
  app.route("/", portalPostbackRoutes());
  app.all("/portal/*", (c) => notFoundPage(c, "portal"));
  return app;
}
