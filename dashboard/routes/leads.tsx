import { Hono } from "hono";
import { Layout, Csrf, DataTable, Empty, Badge, type Column } from "../ui";
import { Pager, StatusFilter } from "../pages/manager";
import { formOf } from "../forms";
import { AttemptTrail, LEAD_FILTERS, timeLeft, type LeadLine } from "../pages/deals";
import { attemptsOf, getVendorLead, listProgramLeads, partnerProfiles } from "../../src/db/queries/leads";
import { getProgramPartner } from "../../src/db/queries/partners";
import { checkSettingsChange } from "../../src/domain/programSettings";
import { LEAD_STATUSES, type LeadStatus } from "../../src/domain/leads";
import { assignLead, createLead } from "../../src/services/leads/actions";
import { changePartner } from "../../src/services/management/partners";
import { changeProgramSettings } from "../../src/services/management/programs";
import { eachPage } from "../../src/db/queries/pagination";
import { mapPages, notFoundPage, pagedTableCsv, tableCsv, wantsCsv, withQuery } from "./common";
import { partnerDirectory } from "./managerData";
import { LeadProfileForm, leadProfileFromForm } from "./leadProfileForm";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

/** Leads with their attempts trail, adding and assigning one, routing settings and partner profiles. */
export function leadRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/app/p/:pid/leads", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const q = c.req.query("status");
    const status = LEAD_STATUSES.includes(q as LeadStatus) ? (q as LeadStatus) : undefined;
    const [dir, page, profiles] = await Promise.all([partnerDirectory(db, program.id), listProgramLeads(db, program.id, { status }, { limit: 100, cursor: c.req.query("cursor") ?? null }), partnerProfiles(db, program.id)]);
    const lines = async (leads: typeof page.data): Promise<LeadLine[]> => {
      const trails = await attemptsOf(db, leads.map((l) => l.id));
      return leads.map((l) => ({ ...l, partner: l.partnerId ? dir.names.get(l.partnerId) ?? "?" : null, attempts: trails.get(l.id) ?? [] }));
    };
    const rows = await lines(page.data);
    const approved = dir.partners.filter((p) => p.status === "approved");
    const columns: Column<LeadLine>[] = [
      { label: "Added", value: (l) => new Date(l.createdAt).toISOString(), cell: (l) => fmt.day(l.createdAt) },
      { label: "Company", value: (l) => l.company },
      { label: "Country / vertical", value: (l) => `${l.country ?? "any"} / ${l.vertical ?? "any"}` },
      { label: "Status", value: (l) => l.status, cell: (l) => <Badge status={l.status} /> },
      { label: "Partner", value: (l) => l.partner ?? "" },
      { label: "Answer by", value: (l) => (l.respondBy ? new Date(l.respondBy).toISOString() : null), cell: (l) => (l.status === "offered" ? timeLeft(l.respondBy, ctx.now) : "–") },
      { label: "Attempts", value: (l) => l.attempts.map((a) => `${dir.names.get(a.partnerId) ?? a.partnerId}:${a.outcome}`).join(" "), cell: (l) => <AttemptTrail attempts={l.attempts} names={dir.names} fmt={fmt} /> },
      { label: "Assign", value: () => null, noCsv: true, cell: (l) => l.status === "converted" ? null : (
        <form method="post" action={`${base}/leads/${l.id}/assign`} class="row"><Csrf token={c.var.csrf} />
          <select name="partnerId" aria-label={`Assign ${l.company} to`}>{approved.map((p) => <option value={p.id}>{p.name}</option>)}</select>
          <button class="small secondary">Assign</button>
        </form>
      ) },
    ];
    // the export is every lead of the filter, not the page on screen
    if (wantsCsv(c, "leads")) return pagedTableCsv(columns, mapPages(eachPage((p) => listProgramLeads(db, program.id, { status }, p)), lines), "leads.csv");
    const profileRows = profiles.map((p) => ({ ...p, countries: JSON.parse(p.countries) as string[], verticals: JSON.parse(p.verticals) as string[] }));
    type ProfileRow = (typeof profileRows)[number];
    const profileCols: Column<ProfileRow>[] = [
      { label: "Partner", value: (p) => p.name },
      { label: "Status", value: (p) => p.status },
      { label: "Open leads", value: (p) => Number(p.open), num: true },
      { label: "Profile", value: (p) => `${p.countries.join(" ")}|${p.verticals.join(" ")}|${p.capacity}`, cell: (p) => (
        <LeadProfileForm action={`${base}/leads/profiles/${p.id}`} csrf={c.var.csrf} profile={{ countries: p.countries, verticals: p.verticals, leadCapacity: Number(p.capacity) }} of={p.name} size={10} />
      ) },
    ];
    if (wantsCsv(c, "profiles")) return tableCsv(profileCols, profileRows, "lead-profiles.csv");
    return c.html(
      <Layout {...ctx.frame("leads", "Leads")}>
        <div class="head"><h1>Leads</h1></div>
        <section class="panel">
          <div class="head"><h2>Leads and their trail</h2><StatusFilter base={`${base}/leads`} current={status ?? ""} filters={LEAD_FILTERS} /></div>
          <DataTable caption="Leads" columns={columns} rows={rows} csv={withQuery(c, { format: "csv", table: "leads", cursor: null })} empty={<Empty title="No leads yet.">Add one below: it goes at once to the eligible partner with the fewest open leads.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
        <div class="grid">
          <section class="panel">
            <h2>New lead</h2>
            <form method="post" action={`${base}/leads`} class="form"><Csrf token={c.var.csrf} />
              <div class="field"><label for="l-co">Company</label><input id="l-co" name="company" required maxlength={200} /></div>
              <div class="field"><label for="l-em">Contact email</label><input id="l-em" name="contactEmail" type="email" required /></div>
              <div class="field"><label for="l-cn">Contact name</label><input id="l-cn" name="contactName" maxlength={200} /></div>
              <div class="field"><label for="l-cc">Country</label><input id="l-cc" name="country" maxlength={2} placeholder="DE" /></div>
              <div class="field"><label for="l-vt">Vertical</label><input id="l-vt" name="vertical" maxlength={60} placeholder="saas" /></div>
              <div class="field"><label for="l-v">Value</label><input id="l-v" name="value" inputmode="decimal" /></div>
              <div class="field"><label for="l-tr">Minimum tier rank</label><input id="l-tr" name="minTierRank" type="number" min={0} max={1000} /></div>
              <button>Add and route</button>
            </form>
          </section>
          <section class="panel">
            <h2>Routing settings</h2>
            <form method="post" action={`${base}/leads/settings`} class="form"><Csrf token={c.var.csrf} />
              <div class="field"><label for="s-sla">Hours to answer a lead (SLA)</label><input id="s-sla" name="leadSlaHours" type="number" min={1} max={720} required value={String(program.leadSlaHours)} /></div>
              <div class="field"><label for="s-prot">Deal protection (days)</label><input id="s-prot" name="dealProtectionDays" type="number" min={1} max={3650} required value={String(program.dealProtectionDays)} /></div>
              <button class="secondary">Save</button>
            </form>
            <p class="small muted">A lead goes to the approved partner matching its country and vertical, with capacity left, and the fewest open leads; ties go to the one offered a lead longest ago. Unanswered offers move on at the next settle.</p>
          </section>
        </div>
        <section class="panel">
          <h2>Partner profiles</h2>
          <DataTable caption="Partner lead profiles" columns={profileCols} rows={profileRows} csv={withQuery(c, { format: "csv", table: "profiles", cursor: null })} empty={<Empty title="No partners yet.">Add partners first.</Empty>} />
          <p class="small muted">Countries (two letters) and verticals separated by spaces; empty means any. Capacity 0: no leads.</p>
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/leads", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const b = await c.req.parseBody();
    const s = (k: string) => String(b[k] ?? "").trim() || undefined;
    const country = s("country");
    const email = s("contactEmail");
    if (!s("company") || !email || !/^[^@\s]+@[^@\s]+$/.test(email) || (country && !/^[A-Za-z]{2}$/.test(country))) {
      setFlash(c, "app", "err", "A lead needs a company, a contact email and (if any) a two-letter country.");
      return c.redirect(`${ctx.base}/leads`, 303);
    }
    const rank = s("minTierRank");
    const outcome = await createLead(ctx.db, ctx.program, { company: s("company")!, contactEmail: email, contactName: s("contactName"), country, vertical: s("vertical"), value: s("value"), minTierRank: rank ? Number(rank) : undefined }, ctx.now, ctx.actor);
    if (outcome.kind === "ok") setFlash(c, "app", "ok", outcome.value.status === "offered" ? "The lead is offered." : "Nobody is eligible: the lead is unassigned.");
    else setFlash(c, "app", "err", "message" in outcome ? outcome.message : "refused");
    return c.redirect(`${ctx.base}/leads`, 303);
  });

  app.post("/app/p/:pid/leads/settings", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const b = await c.req.parseBody();
    const checked = checkSettingsChange({ leadSlaHours: Number(b["leadSlaHours"]), dealProtectionDays: Number(b["dealProtectionDays"]) }, ctx.program.currency);
    if (!checked.ok) setFlash(c, "app", "err", `${checked.field} ${checked.message}`);
    else {
      // the API's use-case (PATCH /api/v1/programs/{id}): the change is in the audit log
      await changeProgramSettings(ctx.db, ctx.program, checked.value, ctx.actor, ctx.now);
      setFlash(c, "app", "ok", "Routing settings saved.");
    }
    return c.redirect(`${ctx.base}/leads`, 303);
  });

  app.post("/app/p/:pid/leads/profiles/:ptn", async (c) => {
    const ctx = await programPage(c);
    const partner = ctx && (await getProgramPartner(ctx.db, ctx.program.id, c.req.param("ptn")));
    if (!ctx || !partner) return notFoundPage(c, "app");
    const form = leadProfileFromForm(await formOf(c));
    if (!form.ok) setFlash(c, "app", "err", `Not saved: ${form.message}.`);
    else {
      const saved = await changePartner(ctx.db, ctx.program, partner, { profile: form.profile }, ctx.actor, ctx.now);
      setFlash(c, "app", saved.kind === "ok" ? "ok" : "err", saved.kind === "ok" ? `${partner.name}'s profile is saved.` : "Not saved.");
    }
    return c.redirect(`${ctx.base}/leads`, 303);
  });

  app.post("/app/p/:pid/leads/:lid/assign", async (c) => {
    const ctx = await programPage(c);
    const found = ctx && (await getVendorLead(ctx.db, c.var.session.vendorId, c.req.param("lid")));
    if (!ctx || !found || found.program.id !== ctx.program.id) return notFoundPage(c, "app");
    const b = await c.req.parseBody();
    const partner = await getProgramPartner(ctx.db, ctx.program.id, String(b["partnerId"] ?? ""));
    const outcome = partner ? await assignLead(ctx.db, ctx.program, found.lead, partner, ctx.now, ctx.actor) : null;
    if (outcome?.kind === "ok") setFlash(c, "app", "ok", `${found.lead.company} is offered to ${partner!.name}.`);
    else setFlash(c, "app", "err", outcome && "message" in outcome ? outcome.message : "No such partner.");
    return c.redirect(`${ctx.base}/leads`, 303);
  });
  return app;
}
