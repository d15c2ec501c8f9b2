import { Hono, type Context } from "hono";
import { Layout, Badge, Csrf, DataTable, Empty, type Column } from "../ui";
import { Pager } from "../pages/manager";
import { formOf } from "../forms";
import { dealColumns, timeLeft, type DealLine } from "../pages/deals";
import { listPartnerDeals, registrationFacts } from "../../src/db/queries/deals";
import { getPartner } from "../../src/db/queries/partners";
import { getProgram } from "../../src/db/queries/programs";
import { getPartnerLead, listPartnerLeads, type LeadRow } from "../../src/db/queries/leads";
import { accountKey } from "../../src/domain/accountKey";
import { decideRegistration } from "../../src/domain/deals";
import { registerDeal } from "../../src/services/deals/register";
import { acceptLead, convertLead, declineLead } from "../../src/services/leads/actions";
import { eachPage } from "../../src/db/queries/pagination";
import { fmtFor, notFoundPage, pagedTableCsv, pageHeaders, wantsCsv, withQuery } from "./common";
import { changePartner } from "../../src/services/management/partners";
import { LeadProfileForm, leadProfileFromForm } from "./leadProfileForm";
import { sessionActor, setFlash, takeFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;

export const coSellingNav = [
  { id: "deals", label: "My deals", href: "/portal/deals" },
  { id: "leads", label: "My leads", href: "/portal/leads" },
];

async function partnerCtx(c: C) {
  const { db } = c.var.deps;
  const partner = await getPartner(db, c.var.session.partnerId ?? "");
  const program = partner && (await getProgram(db, partner.programId));
  if (!partner || !program) return null;
  pageHeaders(c);
  const nav = [{ id: "home", label: "My results", href: "/portal" }, { id: "links", label: "My links", href: "/portal/links" }, { id: "earnings", label: "Earnings & payouts", href: "/portal/earnings" }, ...coSellingNav];
  const frame = (current: string, title: string) => ({ title, area: "portal" as const, nav, current, csrf: c.var.csrf, who: `${partner.name} · ${program.name}`, flash: takeFlash(c, "portal") });
  return { db, partner, program, fmt: fmtFor(c, program.currency), frame, now: c.var.deps.now() };
}

const field = (b: Record<string, unknown>, k: string) => String(b[k] ?? "").trim();

/**
 * Whether an account is already held, in words a partner may read: never whose deal it is, only
 * that the deal would go to the manager as a conflict (or is the partner's own).
 */
async function protectionNotice(ctx: NonNullable<Awaited<ReturnType<typeof partnerCtx>>>, domain: string, contactEmail: string) {
  const key = accountKey({ domain: domain || null, contactEmail });
  if (!key.ok) return { kind: "err" as const, text: `The ${key.field} was refused: ${key.message}` };
  const d = decideRegistration({ partnerId: ctx.partner.id, ...(await registrationFacts(ctx.db, ctx.program.id, key.account, ctx.now)) });
  if (d.kind === "duplicate") return { kind: "err" as const, text: `You already have an open deal for ${key.account}.` };
  if (d.kind === "conflict") return { kind: "err" as const, text: d.conflict === "existing_customer" ? `${key.account} is already a customer: a deal would go to the manager as a conflict.` : `${key.account} is already protected by another registration: a deal would go to the manager as a conflict.` };
  return { kind: "ok" as const, text: `${key.account} is free: your deal would be submitted and protected.` };
}

/** The partner's co-selling pages: register a deal (checked at once), my deals, my leads with time left. */
export function portalCosellingRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/portal/deals", async (c) => {
    const ctx = await partnerCtx(c);
    if (!ctx) return notFoundPage(c, "portal");
    const { fmt } = ctx;
    const page = await listPartnerDeals(ctx.db, ctx.partner.id, {}, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const q = (k: string) => c.req.query(k) ?? "";
    const notice = q("check") ? await protectionNotice(ctx, q("domain"), q("contactEmail")) : null;
    const columns: Column<DealLine>[] = [...dealColumns(fmt, { partner: false }), { label: "Note", value: (d) => d.reason ?? (d.conflictKind ? "conflict: the manager decides" : null) }];
    // the export is every deal of the partner, not the page on screen
    if (wantsCsv(c, "deals")) return pagedTableCsv(columns, eachPage((p) => listPartnerDeals(ctx.db, ctx.partner.id, {}, p)), "my-deals.csv");
    return c.html(
      <Layout {...ctx.frame("deals", "My deals")}>
        <h1>My deals</h1>
        <section class="panel">
          <h2>Register a deal</h2>
          {notice ? <p class={`flash ${notice.kind}`} role="status">{notice.text}</p> : null}
          <form method="post" action="/portal/deals" class="form"><Csrf token={c.var.csrf} />
            <div class="field"><label for="d-co">Company</label><input id="d-co" name="company" required maxlength={200} value={q("company")} /></div>
            <div class="field"><label for="d-dom">Domain</label><input id="d-dom" name="domain" maxlength={300} placeholder="globex.com" value={q("domain")} /></div>
            <div class="field"><label for="d-cn">Contact name</label><input id="d-cn" name="contactName" required maxlength={200} value={q("contactName")} /></div>
            <div class="field"><label for="d-ce">Contact email</label><input id="d-ce" name="contactEmail" type="email" required value={q("contactEmail")} /></div>
            <div class="field"><label for="d-v">Value</label><input id="d-v" name="value" inputmode="decimal" /></div>
            <div class="field"><label for="d-ex">Expected close</label><input id="d-ex" name="expectedCloseAt" type="date" /></div>
            <div class="field full"><label for="d-n">Notes</label><textarea id="d-n" name="notes" maxlength={5000}></textarea></div>
            <div class="full row">
              <button formmethod="get" formaction="/portal/deals" name="check" value="1" class="secondary" formnovalidate>Check the account</button>
              <button>Register</button>
            </div>
          </form>
        </section>
        <section class="panel">
          <DataTable caption="My deals" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "deals", cursor: null })} empty={<Empty title="No deals yet.">Register the deals you bring: an approved deal protects the account for {ctx.program.dealProtectionDays} days.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/portal/deals", async (c) => {
    const ctx = await partnerCtx(c);
    if (!ctx) return notFoundPage(c, "portal");
    const b = await c.req.parseBody();
    const email = field(b, "contactEmail");
    if (!field(b, "company") || !field(b, "contactName") || !/^[^@\s]+@[^@\s]+$/.test(email)) {
      setFlash(c, "portal", "err", "A deal needs a company, a contact name and a contact email.");
      return c.redirect("/portal/deals", 303);
    }
    const outcome = await registerDeal(ctx.db, ctx.program, ctx.partner, {
      company: field(b, "company"), domain: field(b, "domain") || undefined, contactName: field(b, "contactName"), contactEmail: email,
      value: field(b, "value") || undefined, expectedCloseAt: field(b, "expectedCloseAt") || undefined, notes: field(b, "notes") || undefined,
    }, ctx.now);
    if (outcome.kind === "ok") {
      const d = outcome.value;
      setFlash(c, "portal", d.status === "conflict" ? "err" : "ok", d.status === "conflict"
        ? `${d.account} is already ${d.conflictKind === "existing_customer" ? "a customer" : "protected by another registration"}: your deal waits for the manager's decision.`
        : `${d.account} is registered and protected until ${ctx.fmt.day(d.protectedUntil!)} while the manager reviews it.`);
    } else setFlash(c, "portal", "err", "message" in outcome ? outcome.message : "refused");
    return c.redirect("/portal/deals", 303);
  });

  app.get("/portal/leads", async (c) => {
    const ctx = await partnerCtx(c);
    if (!ctx) return notFoundPage(c, "portal");
    const { fmt } = ctx;
    const page = await listPartnerLeads(ctx.db, ctx.partner.id, {}, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const act = (l: LeadRow, action: string, label: string) => (
      <form method="post" action={`/portal/leads/${l.id}/${action}`} class="row"><Csrf token={c.var.csrf} /><button class="small secondary">{label}</button></form>
    );
    const columns: Column<LeadRow>[] = [
      { label: "Company", value: (l) => l.company },
      { label: "Contact", value: (l) => `${l.contactName ?? ""} ${l.contactEmail}`.trim() },
      { label: "Country / vertical", value: (l) => `${l.country ?? "–"} / ${l.vertical ?? "–"}` },
      { label: "Value", value: (l) => (l.value === null ? null : fmt.plain(l.value)), cell: (l) => (l.value === null ? "–" : fmt.m(l.value)), num: true },
      { label: "Status", value: (l) => l.status, cell: (l) => <Badge status={l.status} /> },
      { label: "Time left to answer", value: (l) => l.respondBy, cell: (l) => (l.status === "offered" ? timeLeft(l.respondBy, ctx.now) : "–") },
      { label: "Act", value: () => null, noCsv: true, cell: (l) => (
        <div class="row">
          {l.status === "offered" ? <>{act(l, "accept", "Accept")}{act(l, "decline", "Decline")}</> : null}
          {l.status === "accepted" ? act(l, "deal", "Make it a deal") : null}
        </div>
      ) },
    ];
    if (wantsCsv(c, "leads")) return pagedTableCsv(columns, eachPage((p) => listPartnerLeads(ctx.db, ctx.partner.id, {}, p)), "my-leads.csv");
    return c.html(
      <Layout {...ctx.frame("leads", "My leads")}>
        <h1>My leads</h1>
        <section class="panel">
          <h2>What leads you take</h2>
          <p class="small">Leads go to partners whose countries and verticals match (leave a list empty for any) and who have room: at most this many open leads at once (0: none for now).</p>
          <LeadProfileForm action="/portal/leads/profile" csrf={c.var.csrf} of="you" button="Save profile"
            profile={{ countries: ctx.partner.leadCountries, verticals: ctx.partner.leadVerticals, leadCapacity: ctx.partner.leadCapacity }} />
        </section>
        <section class="panel">
          <DataTable caption="My leads" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "leads", cursor: null })} empty={<Empty title="No leads for you right now.">Leads the vendor sends you show up here, with the time you have to answer ({ctx.program.leadSlaHours} hours).</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  // the partner's own lead profile (PATCH /api/v1/me with a profile does the same)
  app.post("/portal/leads/profile", async (c) => {
    const ctx = await partnerCtx(c);
    if (!ctx) return notFoundPage(c, "portal");
    const form = leadProfileFromForm(await formOf(c));
    if (!form.ok) setFlash(c, "portal", "err", `Not saved: ${form.message}.`);
    else {
      const saved = await changePartner(ctx.db, ctx.program, ctx.partner, { profile: form.profile }, sessionActor(c.var.session), ctx.now);
      setFlash(c, "portal", saved.kind === "ok" ? "ok" : "err", saved.kind === "ok" ? "Your lead profile is saved." : "Not saved.");
    }
    return c.redirect("/portal/leads", 303);
  });

  app.post("/portal/leads/:lid/:action{accept|decline|deal}", async (c) => {
    const ctx = await partnerCtx(c);
    const lead = ctx && (await getPartnerLead(ctx.db, ctx.partner.id, c.req.param("lid")));
    if (!ctx || !lead) return notFoundPage(c, "portal");
    const action = c.req.param("action");
    const outcome = action === "accept" ? await acceptLead(ctx.db, ctx.program, lead, ctx.partner, ctx.now)
      : action === "decline" ? await declineLead(ctx.db, ctx.program, lead, null, ctx.now)
      : await convertLead(ctx.db, ctx.program, lead, ctx.partner, { company: lead.company, contactName: lead.contactName ?? lead.company, contactEmail: lead.contactEmail }, ctx.now);
    if (outcome.kind === "ok") setFlash(c, "portal", "ok", action === "accept" ? `${lead.company} is yours.` : action === "decline" ? `${lead.company} goes to another partner.` : `${lead.company} is now an approved deal.`);
    else setFlash(c, "portal", "err", "message" in outcome ? outcome.message : "refused");
    return c.redirect(action === "deal" ? "/portal/deals" : "/portal/leads", 303);
  });
  return app;
}
