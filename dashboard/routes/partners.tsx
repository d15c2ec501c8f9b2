import { Hono, type Context } from "hono";
import { Layout, Badge, Csrf, type Column } from "../ui";
import { ResultsChart, PeriodPicker } from "../pages/overview";
import { commissionColumns, DataTable, Empty, Facts, LinkCreateForm, linkColumns, PartnerCreateForm, partnerColumns, type CommissionLine, type PartnerLine } from "../pages/manager";
import { isUniqueViolation } from "../../src/db/errors";
import { listCommissions, partnerBalance } from "../../src/db/queries/commissions";
import { getProgramPartner, insertPartner } from "../../src/db/queries/partners";
import { paidOut } from "../../src/db/queries/payouts";
import { entryTierId } from "../../src/db/queries/programs";
import { insertSignInLink } from "../../src/db/queries/sessions";
import { listTierChanges } from "../../src/db/queries/tiers";
import { hashApiKey } from "../../src/domain/ids";
import { dayColumns, linkLine, notFoundPage, periodOf, tableCsv, wantsCsv, withQuery } from "./common";
import { allLinks, partnerDirectory, report } from "./managerData";
import { partnerOption, programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";
import { partnerJourney } from "../../src/db/queries/journey";
import { partnerStage, STAGES } from "../../src/domain/stages";
import { StatusFilter } from "../pages/manager";

const STAGE_FILTERS = [["recruitment", "Recruitment"], ["activation", "Activation"], ["investment", "Investment"], ["devotion", "Devotion"], ["", "All stages"]] as const;

type C = Context<DashEnv>;
const SIGN_IN_LINK_TTL_MS = 72 * 3_600_000;

/** Partners: the list with their results, adding one, a partner's page and its portal sign-in link. */
export function partnerRoutes() {
  const app = new Hono<DashEnv>();
  app.get("/app/p/:pid/partners", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    const [dir, byPartner, journey] = await Promise.all([partnerDirectory(db, program.id), report(db, program, period, "partner"), partnerJourney(db, program.id, ctx.now)]);
    const stats = new Map(byPartner.rows.map((r) => [r.key, r]));
    const stages = new Map(journey.map((j) => [j.id, partnerStage(j.facts).stage]));
    const wanted = STAGES.find((s) => s === c.req.query("stage"));
    const rows: PartnerLine[] = dir.partners.filter((p) => !wanted || stages.get(p.id) === wanted).map((p) => {
      const s = stats.get(p.id);
      return { id: p.id, name: p.name, email: p.email, status: p.status, tier: dir.tierNames.get(p.tierId) ?? "?", stage: stages.get(p.id) ?? "recruitment", coupon: p.coupon, clicks: s?.clicks ?? 0, conversions: s?.conversions ?? 0, revenue: s?.revenue ?? 0n, commission: s?.commission ?? 0n, epc: s?.epc ?? 0n };
    });
    rows.sort((a, b) => (b.revenue > a.revenue ? 1 : b.revenue < a.revenue ? -1 : a.name.localeCompare(b.name)));
    const columns = partnerColumns(fmt, base);
    if (wantsCsv(c, "partners")) return tableCsv(columns, rows, "partners.csv");
    return c.html(
      <Layout {...ctx.frame("partners", "Partners")}>
        <div class="head"><h1>Partners</h1><StatusFilter base={`${base}/partners`} current={wanted ?? ""} filters={STAGE_FILTERS} param="stage" /><PeriodPicker period={period} action={`${base}/partners`} /></div>
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
          <LinkCreateForm action={`${base}/links`} csrf={c.var.csrf} partners={[partnerOption(partner)]} selected={partner.id} domains={program.allowedDomains} />
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
  return app;
}
