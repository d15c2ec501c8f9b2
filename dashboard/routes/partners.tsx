import { Hono, type Context } from "hono";
import { Layout, Badge, Csrf, type Column } from "../ui";
import { ResultsChart, PeriodPicker } from "../pages/overview";
import { commissionColumns, DataTable, Empty, Facts, LinkCreateForm, linkColumns, PartnerCreateForm, partnerColumns, type CommissionLine, type PartnerLine } from "../pages/manager";
import { listCommissions, partnerBalance } from "../../src/db/queries/commissions";
import { getProgramPartner } from "../../src/db/queries/partners";
import { createPartner } from "../../src/services/management/partners";
import { FormError, formOf, refusalOf, text, type Refusal } from "../forms";
import { partnerFieldsRefusal } from "./partnerEdit";
import { programPartners } from "../../src/db/queries/dashboard";
import { SearchForm } from "../forms";
import { paidOut } from "../../src/db/queries/payouts";
import { issueSignInLink } from "../../src/services/partners/signInLink";
import { listTierChanges } from "../../src/db/queries/tiers";
import { hashApiKey } from "../../src/domain/ids";
import { eachPage } from "../../src/db/queries/pagination";
import { badRequestPage, dayColumns, linkLine, mapPages, notFoundPage, pagedTableCsv, periodOf, tableCsv, wantsCsv, withQuery } from "./common";
import { allLinks, partnerDirectory, report } from "./managerData";
import { partnerOption, programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";
import { partnerJourney } from "../../src/db/queries/journey";
import { partnerStage, STAGES } from "../../src/domain/stages";
import { StatusFilter } from "../pages/manager";

const STAGE_FILTERS = [["recruitment", "Recruitment"], ["activation", "Activation"], ["investment", "Investment"], ["devotion", "Devotion"], ["", "All stages"]] as const;

type C = Context<DashEnv>;

/** Partners: the list with their results, adding one, a partner's page and its portal sign-in link. */
export function partnerRoutes() {
  const app = new Hono<DashEnv>();
  const listPage = async (c: C, ctx: NonNullable<Awaited<ReturnType<typeof programPage>>>, values: Record<string, string>, refusal: Refusal | null) => {
    const { db, program, base, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    if (period.problem) return badRequestPage(c, "app", period.problem);
    const q = (c.req.query("q") ?? "").trim().slice(0, 200);
    const [dir, byPartner, found, journey] = await Promise.all([
      partnerDirectory(db, program.id), report(db, program, period, "partner"), q ? programPartners(db, program.id, q) : null, partnerJourney(db, program.id, ctx.now),
    ]);
    const stats = new Map(byPartner.rows.map((r) => [r.key, r]));
    const stages = new Map(journey.map((j) => [j.id, partnerStage(j.facts).stage]));
    const wanted = STAGES.find((s) => s === c.req.query("stage"));
    const rows: PartnerLine[] = (found ?? dir.partners).filter((p) => !wanted || stages.get(p.id) === wanted).map((p) => {
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
            tools={<><SearchForm action={`${base}/partners`} q={q} label="Search partners" /><span class="muted small">{fmt.count(rows.length, "partner")}{q ? ` matching “${q}”` : ""} · results {fmt.day(period.from)} – {fmt.day(period.to)}</span></>}
            empty={q ? <Empty title={`No partner matches “${q}”.`}>Search by name, email or coupon.</Empty> : <Empty title="No partners yet.">Add one with the form below; then create a tracked link for them on their page.</Empty>} />
        </section>
        <section class="panel"><h2>Add a partner</h2><FormError refusal={refusal} /><PartnerCreateForm base={base} csrf={c.var.csrf} values={values} /></section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };
  app.get("/app/p/:pid/partners", async (c) => {
    const ctx = await programPage(c);
    return ctx ? listPage(c, ctx, {}, null) : notFoundPage(c, "app");
  });

  app.post("/app/p/:pid/partners", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const f = await formOf(c);
    const fields = { name: text(f, "name"), email: text(f, "email"), coupon: text(f, "coupon") };
    // the same checks and messages as the partner edit form, the same use-case as the API
    const refused = partnerFieldsRefusal(fields) ?? null;
    if (refused) return listPage(c, ctx, f, refused);
    const outcome = await createPartner(ctx.db, ctx.program, { ...fields, coupon: fields.coupon || undefined }, ctx.now, ctx.actor);
    const taken = refusalOf(outcome);
    if (taken || outcome.kind !== "ok") return listPage(c, ctx, f, taken);
    setFlash(c, "app", "ok", `${outcome.value.partner.name} was added. Create a link for them below, and send them a sign-in link for the portal.`);
    return c.redirect(`${ctx.base}/partners/${outcome.value.partner.id}`, 303);
  });

  const partnerDetail = async (c: C, signInUrl: string | null) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const partner = await getProgramPartner(db, program.id, c.req.param("ptn") ?? "");
    if (!partner) return notFoundPage(c, "app");
    const period = periodOf(c, ctx.now);
    if (period.problem) return badRequestPage(c, "app", period.problem);
    const [dir, days, links, commissions, changes, balance, paid] = await Promise.all([
      partnerDirectory(db, program.id), report(db, program, period, "day", partner.num), allLinks(db, c.var.session.vendorId, { programId: program.id, partnerId: partner.id }),
      listCommissions(db, { programId: program.id, partnerId: partner.id }, { limit: 50, cursor: null }), listTierChanges(db, partner.id), partnerBalance(db, partner.id), paidOut(db, partner.id),
    ]);
    const linkRows = links.map((l) => linkLine(l, c.var.deps.publicUrl, partner.name));
    const linkCols = linkColumns(fmt, base, { partner: false, qrBase: `${base}/links`, manage: true });
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
    // every commission of the partner, not the 50 on screen
    if (wantsCsv(c, "commissions")) return pagedTableCsv(comCols, mapPages(eachPage((p) => listCommissions(db, { programId: program.id, partnerId: partner.id }, p)), (ms) => ms.map((m) => ({ ...m, partner: partner.name }))), `${partner.id}-commissions.csv`);
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
            <p class="small">It is on its way to {partner.email} by e-mail (see the <a href={`${base}/outbox`}>outbox</a>), or copy it yourself. It works once, for 72 hours.</p>
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
              <a class="btn secondary" href={`${self}/edit`}>Edit partner or rotate key</a>
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
    // from AFFLUX_PUBLIC_URL, never the request's Host: a forged Host would send the partner's credential elsewhere
    return partnerDetail(c, await issueSignInLink(ctx.db, c.var.deps.publicUrl, ctx.program, partner, ctx.now));
  });
  return app;
}
