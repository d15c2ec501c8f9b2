import { isUniqueViolation } from "../../src/db/errors";
import { Hono, type Context } from "hono";
import { renderSVG } from "uqr";
import { Layout, type Column } from "../ui";
import { KpiTiles, ResultsChart, TopList, PeriodPicker } from "../pages/overview";
import {
  BulkActions, COMMISSION_FILTERS, commissionColumns, conversionColumns, DataTable, Empty, Facts, LinkCreateForm, linkColumns, managerNav, Pager,
  PartnerCreateForm, partnerColumns, payoutColumns, StatusFilter, type CommissionLine, type ConversionLine, type LinkLine, type PartnerLine, type PayoutLine,
} from "../pages/manager";
import { Badge, Csrf } from "../ui";
import { COMMISSION_STATUSES, type CommissionStatus } from "../../src/db/schema";
import { listCommissions, partnerBalance } from "../../src/db/queries/commissions";
import { commissionOf, commissionsOf, getConversion, listConversions } from "../../src/db/queries/conversions";
import { commissionStatusCounts, pricingOf, programPayouts, unpaidApproved } from "../../src/db/queries/dashboard";
import { applyAction, vendorCommissions } from "../../src/db/queries/lifecycle";
import { getProgramPartner, insertPartner } from "../../src/db/queries/partners";
import { batchPayouts, createPayoutBatch, getBatch, getPayout, markPayoutPaid, paidOut, payoutLines } from "../../src/db/queries/payouts";
import { entryTierId, getVendorProgram, listPrograms, type ProgramRow } from "../../src/db/queries/programs";
import { insertSignInLink } from "../../src/db/queries/sessions";
import { listTierChanges } from "../../src/db/queries/tiers";
import { canApply, type ManagerAction } from "../../src/domain/lifecycle";
import { explain } from "../../src/domain/explain";
import { formatMoney } from "../../src/domain/money";
import { hashApiKey } from "../../src/domain/ids";
import { createLink } from "../../src/services/links/createLink";
import { csvNumber, csvResponse, toCsv } from "../../src/http/csv";
import { badRequestPage, dayQuery, fmtFor, notFoundPage, pageHeaders, periodOf, previousPeriod, tableCsv, wantsCsv, withQuery } from "./common";
import { allLinks, best, partnerDirectory, report } from "./managerData";
import { linkSlugs } from "../../src/db/queries/links";
import { sessionGate, setFlash, takeFlash, type DashEnv } from "./session";
import { settingsRoutes } from "./settings";

type C = Context<DashEnv>;
const SIGN_IN_LINK_TTL_MS = 72 * 3_600_000;

/** The vendor's program named in the path, with what every manager page needs. */
export async function programPage(c: C) {
  const { db } = c.var.deps;
  const program = await getVendorProgram(db, c.var.session.vendorId, c.req.param("pid") ?? "");
  if (!program) return null;
  const programs = (await listPrograms(db, c.var.session.vendorId, { limit: 100, cursor: null })).data;
  const base = `/app/p/${program.id}`;
  const fmt = fmtFor(c, program.currency);
  pageHeaders(c);
  const frame = (current: string, title: string) => ({
    title: `${title} · ${program.name}`, area: "app" as const, nav: managerNav(base), current, csrf: c.var.csrf,
    who: program.name, programs: programs.map((p) => ({ id: p.id, name: p.name })), programId: program.id, flash: takeFlash(c, "app"),
  });
  return { db, program, base, fmt, frame, now: c.var.deps.now() };
}

const toLine = (p: { id: string; name: string }) => p;

export function managerRoutes() {
  const app = new Hono<DashEnv>();
  app.use("/app", sessionGate("app"));
  app.use("/app/*", sessionGate("app"));

  app.get("/app", async (c) => {
    const { db } = c.var.deps;
    const programs = (await listPrograms(db, c.var.session.vendorId, { limit: 100, cursor: null })).data;
    const wanted = c.req.query("program");
    const target = programs.find((p) => p.id === wanted) ?? programs[0];
    if (target) return c.redirect(`/app/p/${target.id}`, 303);
    pageHeaders(c);
    return c.html(
      <Layout title="Welcome" area="app" nav={[]} current="" csrf={c.var.csrf}>
        <div class="panel empty">
          <strong>You have no program yet.</strong>
          <p>Create one with the API: <code>POST /api/v1/programs</code> with your vendor key (see <a href="/api/reference">the API reference</a>), or run <code>npm run afflux -- demo</code> for a demo account.</p>
        </div>
      </Layout>,
    );
  });

  // ---- overview
  app.get("/app/p/:pid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    // The previous period only feeds the KPI trends: its totals, from the cheapest grouping.
    const [days, prev, byPartner, byLink, byCountry, byDevice, dir, counts] = await Promise.all([
      report(db, program, period, "day"), report(db, program, previousPeriod(period), "day"), report(db, program, period, "partner"),
      report(db, program, period, "link"), report(db, program, period, "country"), report(db, program, period, "device"),
      partnerDirectory(db, program.id), commissionStatusCounts(db, program.id),
    ]);
    if (wantsCsv(c, "days")) return tableCsv(dayColumns(fmt), days.rows, `daily-${period.from}-${period.to}.csv`);
    const topLinks = best(byLink.rows, 6);
    const held = counts["hold"] ?? 0;
    const csv = (table: string, groupBy: string) => withQuery(c, { format: "csv", table, groupBy });
    if (c.req.query("format") === "csv" && c.req.query("table") === "top") {
      const rows = await report(db, program, period, (c.req.query("groupBy") ?? "partner") as "partner");
      const slugs = await linkSlugs(db, program.id, rows.rows.flatMap((r) => (r.key ? [r.key] : [])));
      return tableCsv(topColumns(fmt), rows.rows.map((r) => ({ ...r, name: dir.names.get(r.key ?? "") ?? slugs.get(r.key ?? "")?.slug ?? r.key })), `top-${c.req.query("groupBy")}.csv`);
    }
    const slugs = await linkSlugs(db, program.id, topLinks.flatMap((r) => (r.key ? [r.key] : [])));
    return c.html(
      <Layout {...ctx.frame("overview", "Overview")}>
        <div class="head">
          <h1>{program.name}</h1>
          <PeriodPicker period={period} action={base} />
        </div>
        {held > 0 ? (
          <div class="flash ok" role="status">
            {fmt.n(held)} pixel {held === 1 ? "commission waits" : "commissions wait"} for your approval. <a href={`${base}/commissions?status=hold`}>Review the queue</a>.
          </div>
        ) : null}
        {dir.partners.length === 0 ? (
          <div class="panel empty"><strong>No partners yet.</strong><p><a href={`${base}/partners`}>Add your first partner</a>, give them a link, and clicks will show up here within seconds.</p></div>
        ) : null}
        <KpiTiles t={byPartner.totals} prev={prev.totals} fmt={fmt} />
        <ResultsChart title="Clicks, conversions and revenue" points={days.rows.map((r) => ({ day: r.key!, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} fmt={fmt} period={period} action={base} csv={withQuery(c, { format: "csv", table: "days" })} />
        <div class="grid">
          <TopList title="Top partners" fmt={fmt} csv={csv("top", "partner")} empty="No partner has clicks or sales in this period." items={best(byPartner.rows, 6).map((r) => ({ label: r.key ? <a href={`${base}/partners/${r.key}`}>{dir.names.get(r.key) ?? r.key}</a> : "unknown", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
          <TopList title="Top links" fmt={fmt} csv={csv("top", "link")} empty="No link has clicks in this period. Create links on the Links page." items={topLinks.map((r) => { const l = slugs.get(r.key ?? ""); return { label: l ? <span class="mono">/{l.slug}</span> : "coupon or returning customer", sub: l ? dir.names.get(l.partnerId) : undefined, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }; })} />
          <TopList title="Top countries" fmt={fmt} csv={csv("top", "country")} empty="No country data yet (it comes from the CF-IPCountry header at the edge)." items={best(byCountry.rows, 6).map((r) => ({ label: r.key ?? "unknown", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
          <TopList title="Devices" fmt={fmt} csv={csv("top", "device")} empty="No clicks in this period yet." items={best(byDevice.rows, 6).map((r) => ({ label: r.key ?? "unknown", clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} />
        </div>
      </Layout>,
    );
  });

  // ---- partners
  app.get("/app/p/:pid/partners", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    const [dir, byPartner] = await Promise.all([partnerDirectory(db, program.id), report(db, program, period, "partner")]);
    const stats = new Map(byPartner.rows.map((r) => [r.key, r]));
    const rows: PartnerLine[] = dir.partners.map((p) => {
      const s = stats.get(p.id);
      return { id: p.id, name: p.name, email: p.email, status: p.status, tier: dir.tierNames.get(p.tierId) ?? "?", coupon: p.coupon, clicks: s?.clicks ?? 0, conversions: s?.conversions ?? 0, revenue: s?.revenue ?? 0n, commission: s?.commission ?? 0n, epc: s?.epc ?? 0n };
    });
    rows.sort((a, b) => (b.revenue > a.revenue ? 1 : b.revenue < a.revenue ? -1 : a.name.localeCompare(b.name)));
    const columns = partnerColumns(fmt, base);
    if (wantsCsv(c, "partners")) return tableCsv(columns, rows, "partners.csv");
    return c.html(
      <Layout {...ctx.frame("partners", "Partners")}>
        <div class="head"><h1>Partners</h1><PeriodPicker period={period} action={`${base}/partners`} /></div>
        <section class="panel">
          <DataTable caption="Partners and their results in the period" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "partners" })}
            tools={<span class="muted small">{fmt.n(rows.length)} partners · results {fmt.day(period.from)} – {fmt.day(period.to)}</span>}
            empty={<Empty title="No partners yet.">Add one with the form below; then create a tracked link for them on their page.</Empty>} />
        </section>
        <section class="panel"><h2>Add a partner</h2><PartnerCreateForm base={base} csrf={c.var.csrf} /></section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/partners", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody();
    const name = String(body["name"] ?? "").trim();
    const email = String(body["email"] ?? "").trim();
    const coupon = String(body["coupon"] ?? "").trim() || null;
    const back = `${ctx.base}/partners`;
    if (!name || name.length > 200) return (setFlash(c, "app", "err", "A partner needs a name (up to 200 characters)."), c.redirect(back, 303));
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) return (setFlash(c, "app", "err", `"${email}" is not an email address.`), c.redirect(back, 303));
    if (coupon && !/^[A-Za-z0-9_-]{2,64}$/.test(coupon)) return (setFlash(c, "app", "err", "A coupon is 2–64 letters, digits, _ or -."), c.redirect(back, 303));
    try {
      const { partner } = await insertPartner(ctx.db, { vendorId: c.var.session.vendorId, programId: ctx.program.id, name, email, coupon, tierId: await entryTierId(ctx.db, ctx.program.id) }, ctx.now);
      setFlash(c, "app", "ok", `${partner.name} was added. Create a link for them below, and send them a sign-in link for the portal.`);
      return c.redirect(`${ctx.base}/partners/${partner.id}`, 303);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      setFlash(c, "app", "err", `The coupon ${coupon} already belongs to another partner of this program.`);
      return c.redirect(back, 303);
    }
  });

  const partnerDetail = async (c: C, signInUrl: string | null) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const partner = await getProgramPartner(db, program.id, c.req.param("ptn") ?? "");
    if (!partner) return notFoundPage(c, "app");
    const period = periodOf(c, ctx.now);
    const [dir, days, links, commissions, changes, balance, paid] = await Promise.all([
      partnerDirectory(db, program.id), report(db, program, period, "day", partner.num), allLinks(db, c.var.session.vendorId, { programId: program.id, partnerId: partner.id }),
      listCommissions(db, { programId: program.id, partnerId: partner.id }, { limit: 50, cursor: null }), listTierChanges(db, partner.id), partnerBalance(db, partner.id), paidOut(db, partner.id),
    ]);
    const linkRows = links.map((l) => linkLine(l, c.var.deps.publicUrl, partner.name));
    const linkCols = linkColumns(fmt, base, { partner: false, qrBase: `${base}/links` });
    const comRows: CommissionLine[] = commissions.data.map((m) => ({ ...m, partner: partner.name }));
    const comCols = commissionColumns(fmt, base, false);
    const tierCols: Column<(typeof changes)[number]>[] = [
      { label: "When", value: (t) => new Date(t.createdAt).toISOString(), cell: (t) => fmt.time(t.createdAt) },
      { label: "From", value: (t) => dir.tierNames.get(t.fromTierId ?? "") ?? "–" },
      { label: "To", value: (t) => dir.tierNames.get(t.toTierId) ?? t.toTierId },
      { label: "Metric then", value: (t) => t.metricValue, cell: (t) => { const tier = dir.tiers.find((x) => x.id === t.toTierId); return tier?.metric === "conversions" ? `${fmt.n(t.metricValue)} conversions` : fmt.m(t.metricValue); }, num: true },
    ];
    if (wantsCsv(c, "days")) return tableCsv(dayColumns(fmt), days.rows, `${partner.id}-daily.csv`);
    if (wantsCsv(c, "links")) return tableCsv(linkCols, linkRows, `${partner.id}-links.csv`);
    if (wantsCsv(c, "commissions")) return tableCsv(comCols, comRows, `${partner.id}-commissions.csv`);
    if (wantsCsv(c, "tiers")) return tableCsv(tierCols, changes, `${partner.id}-tier-history.csv`);
    const self = `${base}/partners/${partner.id}`;
    return c.html(
      <Layout {...ctx.frame("partners", partner.name)}>
        <div class="head">
          <div><p class="small muted"><a href={`${base}/partners`}>Partners</a> /</p><h1>{partner.name} <Badge status={partner.status} /></h1></div>
          <PeriodPicker period={period} action={self} />
        </div>
        {signInUrl ? (
          <div class="panel" role="status">
            <h2>One-time sign-in link for {partner.name}</h2>
            <p class="small">Send it to {partner.email}. It works once, for 72 hours, and is shown only now.</p>
            <div class="copy"><input id="signin-url" value={signInUrl} readonly aria-label="Sign-in link" /><button type="button" class="small secondary" data-copy="signin-url">Copy</button></div>
          </div>
        ) : null}
        <div class="grid">
          <section class="panel">
            <h2>Profile</h2>
            <Facts items={[["Email", partner.email], ["Tier", dir.tierNames.get(partner.tierId) ?? "?"], ["Coupon", partner.coupon ?? "–"], ["Partner since", fmt.day(partner.createdAt)], ["Id", <span class="mono">{partner.id}</span>]]} />
            <form method="post" action={`${self}/signin-link`} class="row" >
              <Csrf token={c.var.csrf} />
              <button class="secondary">Create a portal sign-in link</button>
            </form>
          </section>
          <section class="panel">
            <h2>Balance</h2>
            <Facts items={[["Held", fmt.m(balance.hold)], ["Pending", fmt.m(balance.pending)], ["Approved, unpaid", fmt.m(balance.approved)], ["Paid out", fmt.m(paid)]]} />
          </section>
        </div>
        <ResultsChart title={`Results of ${partner.name}`} points={days.rows.map((r) => ({ day: r.key!, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue }))} fmt={fmt} period={period} action={self} csv={withQuery(c, { format: "csv", table: "days" })} />
        <section class="panel">
          <h2>Links</h2>
          <DataTable caption="Links of the partner" columns={linkCols} rows={linkRows} csv={withQuery(c, { format: "csv", table: "links" })} empty={<Empty title="No links yet.">Create the partner's first tracked link below.</Empty>} />
          <h3>New link for {partner.name}</h3>
          <LinkCreateForm action={`${base}/links`} csrf={c.var.csrf} partners={[toLine(partner)]} selected={partner.id} domains={program.allowedDomains} />
        </section>
        <section class="panel">
          <h2>Tier history</h2>
          <DataTable caption="Tier changes" columns={tierCols} rows={changes} csv={withQuery(c, { format: "csv", table: "tiers" })} empty={<Empty title="No tier changes yet.">The partner moves up when settle finds their results over a tier's threshold.</Empty>} />
        </section>
        <section class="panel">
          <h2>Latest commissions</h2>
          <DataTable caption="Commissions of the partner" columns={comCols} rows={comRows} csv={withQuery(c, { format: "csv", table: "commissions" })} empty={<Empty title="No commissions yet.">They appear when the partner's links lead to sales.</Empty>} />
        </section>
      </Layout>,
    );
  };
  app.get("/app/p/:pid/partners/:ptn", (c) => partnerDetail(c, null));

  app.post("/app/p/:pid/partners/:ptn/signin-link", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const partner = await getProgramPartner(ctx.db, ctx.program.id, c.req.param("ptn"));
    if (!partner) return notFoundPage(c, "app");
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    const token = Buffer.from(bytes).toString("base64url");
    await insertSignInLink(ctx.db, { hash: hashApiKey(token), vendorId: c.var.session.vendorId, programId: ctx.program.id, partnerId: partner.id, createdAt: ctx.now, expiresAt: ctx.now + SIGN_IN_LINK_TTL_MS });
    // from AFFLUX_PUBLIC_URL, never the request's Host: a forged Host would send the partner's credential elsewhere
    return partnerDetail(c, `${c.var.deps.publicUrl}/portal/signin?token=${token}`);
  });

  // ---- links
  app.get("/app/p/:pid/links", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const [dir, links] = await Promise.all([partnerDirectory(db, program.id), allLinks(db, c.var.session.vendorId, { programId: program.id })]);
    const rows = links.map((l) => linkLine(l, c.var.deps.publicUrl, dir.names.get(l.partnerId) ?? "?"));
    const columns = linkColumns(fmt, base, { partner: true, qrBase: `${base}/links` });
    if (wantsCsv(c, "links")) return tableCsv(columns, rows, "links.csv");
    return c.html(
      <Layout {...ctx.frame("links", "Links")}>
        <div class="head"><h1>Links</h1></div>
        <section class="panel">
          <h2>Create a link</h2>
          {dir.partners.length ? (
            <LinkCreateForm action={`${base}/links`} csrf={c.var.csrf} partners={dir.partners.map(toLine)} domains={program.allowedDomains} />
          ) : (
            <p class="muted">Links belong to partners: <a href={`${base}/partners`}>add a partner</a> first.</p>
          )}
        </section>
        <section class="panel">
          <DataTable caption="Tracked links" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "links" })}
            tools={<span class="muted small">{fmt.n(rows.length)} links · all-time clicks</span>}
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

  // ---- commissions
  app.get("/app/p/:pid/commissions", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const counts = await commissionStatusCounts(db, program.id);
    const q = c.req.query("status");
    const status = q === "all" ? "" : COMMISSION_STATUSES.includes(q as CommissionStatus) ? q! : counts["hold"] ? "hold" : "";
    const [dir, page] = await Promise.all([
      partnerDirectory(db, program.id),
      listCommissions(db, { programId: program.id, status: (status || undefined) as CommissionStatus | undefined }, { limit: 100, cursor: c.req.query("cursor") ?? null }),
    ]);
    const rows: CommissionLine[] = page.data.map((m) => ({ ...m, partner: dir.names.get(m.partnerId) ?? "?" }));
    const actionable = rows.some((r) => r.status === "hold" || r.status === "pending");
    const columns = commissionColumns(fmt, base, actionable);
    if (wantsCsv(c, "commissions")) return tableCsv(columns, rows, `commissions-${status || "all"}.csv`);
    return c.html(
      <Layout {...ctx.frame("commissions", "Commissions")}>
        <div class="head"><h1>Commissions</h1><StatusFilter base={`${base}/commissions`} current={status} counts={counts} filters={COMMISSION_FILTERS} /></div>
        <section class="panel">
          <p class="small muted">Held commissions come from the pixel, which anyone who can read your page could fire: approve the real ones (they become pending and are approved for payout after the {program.holdDays}-day hold) and reject the rest.</p>
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
    const rows = (await vendorCommissions(ctx.db, c.var.session.vendorId, ids)).filter((r) => r.c.programId === ctx.program.id);
    const name: ManagerAction = action;
    const updated = await applyAction(ctx.db, rows.filter((r) => canApply(name, r.c.status)), name, ctx.now);
    const skipped = ids.length - updated.length;
    setFlash(c, "app", updated.length ? "ok" : "err", `${name === "approve" ? "Approved" : "Rejected"} ${updated.length} ${updated.length === 1 ? "commission" : "commissions"}${skipped ? `; ${skipped} could not be changed from their status` : ""}.`);
    return c.redirect(back, 303);
  });

  // ---- conversions
  app.get("/app/p/:pid/conversions", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const status = ["attributed", "unattributed"].includes(c.req.query("status") ?? "") ? (c.req.query("status") as "attributed" | "unattributed") : undefined;
    const partnerId = c.req.query("partner") || undefined;
    const from = dayQuery(c, "from", ctx.now);
    const toDay = dayQuery(c, "to", ctx.now);
    if (from === null || toDay === null) return badRequestPage(c, "app", "Dates must be real calendar days (YYYY-MM-DD) between 2000-01-01 and 100 years from now.");
    const to = toDay === undefined ? undefined : toDay + 86_400_000;
    const dir = await partnerDirectory(db, program.id);
    const page = await listConversions(db, { programId: program.id, status, partnerId, from, to }, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const byConversion = await commissionsOf(db, page.data.map((v) => v.id));
    const rows: ConversionLine[] = page.data.map((v) => {
      const m = byConversion.get(v.id);
      return { ...v, partner: v.partnerId ? dir.names.get(v.partnerId) ?? "?" : null, commission: m?.amount ?? null, commissionStatus: m?.status ?? null };
    });
    const columns = conversionColumns(fmt, base);
    if (wantsCsv(c, "conversions")) return tableCsv(columns, rows, "conversions.csv");
    return c.html(
      <Layout {...ctx.frame("conversions", "Conversions")}>
        <div class="head"><h1>Conversions</h1></div>
        <section class="panel">
          <form method="get" action={`${base}/conversions`} class="form" aria-label="Filters">
            <div class="field"><label for="f-status">Attribution</label><select id="f-status" name="status"><option value="">Any</option><option value="attributed" selected={status === "attributed"}>Attributed</option><option value="unattributed" selected={status === "unattributed"}>Unattributed</option></select></div>
            <div class="field"><label for="f-partner">Partner</label><select id="f-partner" name="partner"><option value="">Any partner</option>{dir.partners.map((p) => <option value={p.id} selected={p.id === partnerId}>{p.name}</option>)}</select></div>
            <div class="field"><label for="f-from">Recorded from</label><input type="date" id="f-from" name="from" value={c.req.query("from") ?? ""} /></div>
            <div class="field"><label for="f-to">Recorded to</label><input type="date" id="f-to" name="to" value={c.req.query("to") ?? ""} /></div>
            <button class="secondary">Filter</button>
          </form>
        </section>
        <section class="panel">
          <DataTable caption="Conversions" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "conversions" })}
            empty={<Empty title="No conversions match.">Conversions arrive from your postback (POST /v1/conversions), the pixel or the snippet: see <a href={`${base}/settings`}>Settings</a> for the ready-to-copy code.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.get("/app/p/:pid/conversions/:cid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const conv = await getConversion(db, c.req.param("cid"));
    if (!conv || conv.programId !== program.id) return notFoundPage(c, "app");
    const commission = await commissionOf(db, conv.id);
    const { rule, tier } = await pricingOf(db, commission);
    const x = explain({ conversion: conv, cookieDays: program.cookieDays, tier, rule, commission });
    const partner = conv.partnerId ? await getProgramPartner(db, program.id, conv.partnerId) : null;
    return c.html(
      <Layout {...ctx.frame("conversions", `Conversion ${conv.orderId}`)}>
        <p class="small muted"><a href={`${base}/conversions`}>Conversions</a> /</p>
        <h1>Order <span class="mono">{conv.orderId}</span> <Badge status={conv.status} /></h1>
        <div class="grid">
          <section class="panel">
            <h2>Conversion</h2>
            <Facts items={[
              ["Event", conv.event], ["Amount", fmt.m(conv.amount)], ["Refunded", fmt.m(conv.refunded)], ["Source", conv.source],
              ["Occurred", fmt.time(conv.occurredAt)], ["Recorded", fmt.time(conv.createdAt)],
              ["Partner", partner ? <a href={`${base}/partners/${partner.id}`}>{partner.name}</a> : "–"], ["Customer", conv.customerId ?? "–"], ["Coupon", conv.coupon ?? "–"],
              ["Country / device", `${conv.country ?? "?"} / ${conv.device ?? "?"}`],
            ]} />
          </section>
          <section class="panel">
            <h2>Why</h2>
            <p>{x.attribution}</p>
            <Facts items={[
              ["Window", `${x.window.cookieDays} days, ${x.window.model}`], ["Tier then", x.tier?.name ?? "–"],
              ["Rule", x.rule ? `${x.rule.type === "percent" ? `${x.rule.value}%` : `${x.rule.value} ${program.currency} flat`}${x.rule.tierSpecific ? " (tier rule)" : " (program rule)"}` : "–"],
              ["Arithmetic", x.arithmetic ?? x.commission ?? "–"],
              ["Commission", commission ? <>{fmt.m(commission.amount)} <Badge status={commission.status} /></> : "none"],
            ]} />
            {commission && (commission.status === "hold" || commission.status === "pending") ? (
              <form method="post" action={`${base}/commissions`} class="row">
                <Csrf token={c.var.csrf} />
                <input type="hidden" name="ids" value={commission.id} />
                {commission.status === "hold" ? <button name="action" value="approve">Approve</button> : null}
                <button name="action" value="reject" class="danger">Reject</button>
              </form>
            ) : null}
          </section>
        </div>
      </Layout>,
    );
  });

  // ---- payouts
  app.get("/app/p/:pid/payouts", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const [list, due, dir] = await Promise.all([programPayouts(db, program.id), unpaidApproved(db, program.id), partnerDirectory(db, program.id)]);
    const rows: PayoutLine[] = list.map((r) => ({ ...r.payout, partner: r.name, email: r.email, count: r.payout.commissionCount }));
    const columns = payoutColumns(fmt, base, c.var.csrf);
    if (wantsCsv(c, "payouts")) return tableCsv(columns, rows, "payouts.csv");
    const ready = due.filter((d) => d.amount >= program.minPayout && d.amount > 0);
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
              <p class="small muted">{due.length - ready.length > 0 ? `${due.length - ready.length} more stay below the minimum and carry over. ` : ""}{ready.slice(0, 8).map((d) => `${dir.names.get(d.partnerId) ?? "?"} ${fmt.m(d.amount)}`).join(" · ")}</p>
              <form method="post" action={`${base}/payouts`} data-confirm={`Create payouts of ${fmt.m(total)} for ${ready.length} partners?`}>
                <Csrf token={c.var.csrf} />
                <button>Create payouts</button>
              </form>
            </>
          ) : (
            <p class="muted">No partner has approved commissions at or above the {fmt.m(program.minPayout)} minimum yet. Commissions are approved by settle once their {program.holdDays}-day hold has passed.</p>
          )}
        </section>
        <section class="panel">
          <DataTable caption="Payouts" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "payouts" })}
            tools={batches.length ? <span class="small">Bulk-payment CSV by batch: {batches.map((b) => <><a href={`${base}/payout-batches/${b}.csv`} download class="mono">{b}</a>{" "}</>)}</span> : undefined}
            empty={<Empty title="No payouts yet.">Create a payout run above when partners have approved commissions.</Empty>} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/payouts", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const batch = await createPayoutBatch(ctx.db, ctx.program, ctx.now);
    const total = batch.payouts.reduce((s, p) => s + p.amount, 0n);
    setFlash(c, "app", batch.payouts.length ? "ok" : "err", batch.payouts.length ? `Created ${batch.payouts.length} payouts of ${ctx.fmt.m(total)} in total (batch ${batch.batchId}).` : "Nothing was due: no payout created.");
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
          <h1>{fmt.m(payout.amount)} to {partner?.name ?? "?"} <Badge status={payout.status === "pending" ? "pending-p" : payout.status} /></h1>
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

  app.post("/app/p/:pid/payouts/:pay/paid", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const payout = await getPayout(ctx.db, c.req.param("pay"));
    if (!payout || payout.programId !== ctx.program.id) return notFoundPage(c, "app");
    const ok = await markPayoutPaid(ctx.db, payout.id, ctx.now);
    setFlash(c, "app", ok ? "ok" : "err", ok ? `Payout of ${ctx.fmt.m(payout.amount)} marked paid.` : "This payout was already paid.");
    return c.redirect(`${ctx.base}/payouts/${payout.id}`, 303);
  });

  app.route("/", settingsRoutes());
  return app;
}

function linkLine(l: Awaited<ReturnType<typeof allLinks>>[number], publicUrl: string, partner: string): LinkLine {
  return { ...l, url: `${publicUrl}/${l.slug}`, partner };
}

export function dayColumns(fmt: { plain: (n: bigint) => string }): Column<{ key: string | null; clicks: number; uniqueClicks: number; botClicks: number; conversions: number; revenue: bigint; commission: bigint }>[] {
  return [
    { label: "day", value: (r) => r.key }, { label: "clicks", value: (r) => r.clicks }, { label: "uniqueClicks", value: (r) => r.uniqueClicks },
    { label: "botClicks", value: (r) => r.botClicks }, { label: "conversions", value: (r) => r.conversions },
    { label: "revenue", value: (r) => fmt.plain(r.revenue), num: true }, { label: "commission", value: (r) => fmt.plain(r.commission), num: true },
  ];
}

function topColumns(fmt: { plain: (n: bigint) => string }): Column<{ key: string | null; name: string | null | undefined; clicks: number; conversions: number; revenue: bigint; commission: bigint }>[] {
  return [
    { label: "key", value: (r) => r.key }, { label: "name", value: (r) => r.name ?? null }, { label: "clicks", value: (r) => r.clicks },
    { label: "conversions", value: (r) => r.conversions }, { label: "revenue", value: (r) => fmt.plain(r.revenue), num: true }, { label: "commission", value: (r) => fmt.plain(r.commission), num: true },
  ];
}

export function qrResponse(url: string): Response {
  return new Response(renderSVG(url, { border: 2 }), {
    headers: { "content-type": "image/svg+xml; charset=utf-8", "cache-control": "private, max-age=86400", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" },
  });
}

export type { ProgramRow };
