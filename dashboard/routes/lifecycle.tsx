import { Hono, type Context } from "hono";
import { Badge, Csrf, DataTable, Empty, Kpis, Layout, type Column } from "../ui";
import { MonthlyPartnersChart } from "../chart";
import { Facts, Pager, StatusFilter } from "../pages/manager";
import { acceptancesOf, listAgreements } from "../../src/db/queries/agreements";
import { applicationCounts, applicationsByIds, listApplications, type ApplicationRow } from "../../src/db/queries/applications";
import { monthlyPartners } from "../../src/db/queries/journey";
import { isUniqueViolationOf } from "../../src/db/errors";
import { APPLICATION_STATUSES, type ApplicationSettings, type ApplicationStatus } from "../../src/db/schema";
import { checkApplicationSettings, HANDLE_PATTERN } from "../../src/domain/applications";
import { changeProgramSettings } from "../../src/services/management/programs";
import { monthStart } from "../../src/domain/stages";
import { publishAgreement } from "../../src/services/lifecycle/agreements";
import { approveApplication, rejectApplication } from "../../src/services/lifecycle/applications";
import { programKpiReport } from "../../src/services/lifecycle/kpis";
import { satisfactionReport } from "../../src/services/lifecycle/satisfaction";
import { DAY_MS } from "../../src/domain/dates";
import type { Fmt } from "../format";
import { notFoundPage, periodOf, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;
const FILTERS = [["pending", "Pending"], ["approved", "Approved"], ["rejected", "Rejected"], ["", "All"]] as const;

/** Questions as the settings form edits them: one a line, `id | label | required`. */
const questionLines = (s: ApplicationSettings) => s.questions.map((q) => `${q.id} | ${q.label}${q.required ? " | required" : ""}`).join("\n");
const ruleLines = (s: ApplicationSettings) => s.autoApprove.map((r) => `${r.field} ${r.op} ${r.values.join(",")}`).join("\n");

function parseSettings(body: Record<string, unknown>): { ok: true; value: ApplicationSettings } | { ok: false; message: string } {
  const lines = (k: string) => String(body[k] ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const questions: ApplicationSettings["questions"] = [];
  for (const l of lines("questions")) {
    const [id = "", label = "", req = ""] = l.split("|").map((p) => p.trim());
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(id) || !label || label.length > 200) return { ok: false, message: `"${l}" is not "id | label | required" (id: letters, digits, _ or -).` };
    questions.push({ id, label, required: req.toLowerCase() === "required" });
  }
  const autoApprove: ApplicationSettings["autoApprove"] = [];
  for (const l of lines("rules")) {
    const m = /^(country|emailDomain)\s+(is|is_not)\s+(.+)$/.exec(l);
    if (!m) return { ok: false, message: `"${l}" is not a rule such as "country is DE,FR" or "emailDomain is_not gmail.com".` };
    autoApprove.push({ field: m[1] as "country" | "emailDomain", op: m[2] as "is" | "is_not", values: m[3]!.split(",").map((v) => v.trim()).filter(Boolean) });
  }
  const checked = checkApplicationSettings({ enabled: body["enabled"] === "1", questions, autoApprove });
  return checked.ok ? checked : { ok: false, message: checked.message };
}

type Comment = Awaited<ReturnType<typeof satisfactionReport>>["comments"][number];
const commentColumns = (fmt: Fmt, base: string): Column<Comment>[] => [
  { label: "When", value: (r) => r.at, cell: (r) => fmt.time(Date.parse(r.at)) }, { label: "Score", value: (r) => r.score, num: true },
  { label: "Comment", value: (r) => r.comment }, { label: "Partner", value: (r) => r.partnerId, cell: (r) => <a class="mono small" href={`${base}/partners/${r.partnerId}`}>{r.partnerId}</a> },
];

/** The program's partner lifecycle in the dashboard: applications, the form's settings, the agreement and the journey overview. */
export function lifecycleRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/app/p/:pid/applications", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const counts = await applicationCounts(db, program.id);
    const q = c.req.query("status");
    const status = q === "all" ? "" : APPLICATION_STATUSES.includes(q as ApplicationStatus) ? q! : "pending";
    const page = await listApplications(db, program.id, { status: (status || undefined) as ApplicationStatus | undefined }, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const columns: Column<ApplicationRow>[] = [
      { label: "", value: () => null, noCsv: true, cell: (a) => (a.status === "pending" ? <input type="checkbox" name="ids" value={a.id} form="bulk" aria-label={`Select ${a.name}`} /> : null) },
      { label: "Applied", value: (a) => new Date(a.createdAt).toISOString(), cell: (a) => fmt.time(a.createdAt) },
      { label: "Name", value: (a) => a.name },
      { label: "Email", value: (a) => a.email },
      { label: "Website", value: (a) => a.website },
      { label: "Country", value: (a) => a.country },
      { label: "Answers", value: (a) => Object.entries(a.answers).map(([k, v]) => `${k}: ${v}`).join("; ") },
      { label: "Source", value: (a) => a.source },
      { label: "Status", value: (a) => a.status, cell: (a) => <Badge status={a.status} /> },
      { label: "Reason", value: (a) => a.reason },
    ];
    if (wantsCsv(c, "applications")) return tableCsv(columns, page.data, `applications-${status || "all"}.csv`);
    const pending = page.data.some((a) => a.status === "pending");
    return c.html(
      <Layout {...ctx.frame("applications", "Applications")}>
        <div class="head"><h1>Applications</h1><StatusFilter base={`${base}/applications`} current={status} counts={counts} filters={FILTERS} /></div>
        <section class="panel">
          <DataTable caption="Applications" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "applications" })}
            tools={pending ? (
              <form method="post" action={`${base}/applications`} id="bulk" class="row">
                <Csrf token={c.var.csrf} />
                <button name="action" value="approve">Approve selected</button>
                <input name="reason" placeholder="Reason (for rejections)" maxlength={2000} aria-label="Reason for rejecting" />
                <button name="action" value="reject" class="danger">Reject selected</button>
              </form>
            ) : <span />}
            empty={<Empty title={status === "pending" ? "No application waits for review." : "No applications here."}>Share your application form: <a href={`${base}/application-form`}>its link and embed snippet</a>.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/applications", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody({ all: true });
    const raw = body["ids"];
    const ids = [...new Set((Array.isArray(raw) ? raw : raw ? [raw] : []).map(String))].slice(0, 200);
    const back = `${ctx.base}/applications`;
    const action = body["action"];
    if (action !== "approve" && action !== "reject") return (setFlash(c, "app", "err", "Unknown action."), c.redirect(back, 303));
    if (ids.length === 0) return (setFlash(c, "app", "err", "Select at least one application first."), c.redirect(back, 303));
    const reason = String(body["reason"] ?? "").trim().slice(0, 2000) || null;
    const links: string[] = [];
    let done = 0;
    for (const a of await applicationsByIds(ctx.db, ctx.program.id, ids)) {
      const outcome = action === "approve"
        ? await approveApplication(ctx.db, ctx.program, a, c.var.deps.publicUrl, ctx.now, ctx.actor)
        : await rejectApplication(ctx.db, a, reason, ctx.now, ctx.program, ctx.actor);
      if (outcome.kind !== "ok") continue;
      done++;
      if ("signInUrl" in outcome.value) links.push(`${outcome.value.partner.email}: ${outcome.value.signInUrl}`);
    }
    const skipped = ids.length - done;
    // without e-mail, the sign-in links are shown once here for the manager to send
    const text = `${action === "approve" ? "Approved" : "Rejected"} ${done} ${done === 1 ? "application" : "applications"}${skipped ? `; ${skipped} were already decided` : ""}.`;
    if (links.length === 0) return (setFlash(c, "app", done ? "ok" : "err", text), c.redirect(back, 303));
    return c.html(
      <Layout {...ctx.frame("applications", "Applications approved")}>
        <section class="panel" role="status">
          <h1>{text}</h1>
          <p class="small">One-time portal sign-in links (72 hours, shown only now): send each to its partner.</p>
          <ul>{links.map((l) => <li class="mono small">{l}</li>)}</ul>
          <p><a href={back}>Back to the applications</a></p>
        </section>
      </Layout>,
    );
  });

  app.get("/app/p/:pid/application-form", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { program, base } = ctx;
    const url = `${c.var.deps.publicUrl}/apply/${program.handle}`;
    const embed = `<a href="${url}?source=website" rel="noopener">Become a partner of ${program.name.replace(/[<>&"]/g, "")}</a>`;
    return c.html(
      <Layout {...ctx.frame("applications", "Application form")}>
        <div class="head"><h1>Application form</h1></div>
        <section class="panel">
          <h2>Share it</h2>
          <Facts items={[["Link", <a href={url}>{url}</a>], ["Embed on your site", <code>{embed}</code>], ["Status", program.applications.enabled ? "open" : "closed"]]} />
          <p class="small muted">Add <code>?source=…</code> to see where applicants come from, and <code>?ref=&lt;partner id&gt;</code> for referrals.</p>
        </section>
        <section class="panel">
          <h2>Questions and auto-approval</h2>
          <form method="post" action={`${base}/application-form`} class="stack">
            <Csrf token={c.var.csrf} />
            <label class="check"><input type="checkbox" name="enabled" value="1" checked={program.applications.enabled} /> Accept applications</label>
            <div class="field">
              <label for="handle">Address of the form: {c.var.deps.publicUrl}/apply/…</label>
              <input id="handle" name="handle" required pattern="[a-z0-9\-]{3,40}" maxlength={40} value={program.handle} aria-describedby="handle-h" />
              <span class="hint" id="handle-h">3–40 of a–z, 0–9 and -. Changing it stops the old link.</span>
            </div>
            <div class="field">
              <label for="questions">Questions, one a line: <code>id | label | required</code></label>
              <textarea id="questions" name="questions" rows={4}>{questionLines(program.applications)}</textarea>
            </div>
            <div class="field">
              <label for="rules">Auto-approval rules, one a line (all must hold; none: you review each): <code>country is DE,FR</code>, <code>emailDomain is_not gmail.com</code></label>
              <textarea id="rules" name="rules" rows={3}>{ruleLines(program.applications)}</textarea>
            </div>
            <button>Save</button>
          </form>
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/application-form", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody();
    const parsed = parseSettings(body);
    const back = `${ctx.base}/application-form`;
    if (!parsed.ok) return (setFlash(c, "app", "err", parsed.message), c.redirect(back, 303));
    // older forms without the field keep the handle
    const handle = body["handle"] === undefined ? ctx.program.handle : String(body["handle"]).trim().toLowerCase();
    if (!HANDLE_PATTERN.test(handle)) return (setFlash(c, "app", "err", `Nothing was saved: the address "${handle}" must be 3–40 characters of a–z, 0–9 and -.`), c.redirect(back, 303));
    // the same use-case as PATCH /api/v1/programs/{id}: audited, and the handle unique across the server
    try {
      await changeProgramSettings(ctx.db, ctx.program, { applications: parsed.value, handle }, ctx.actor, ctx.now);
    } catch (err) {
      if (!isUniqueViolationOf(err, "handle")) throw err;
      return (setFlash(c, "app", "err", `Nothing was saved: the address "${handle}" is taken by another program.`), c.redirect(back, 303));
    }
    setFlash(c, "app", "ok", handle === ctx.program.handle ? "The application form was saved." : `The application form was saved; it is now at ${c.var.deps.publicUrl}/apply/${handle}.`);
    return c.redirect(back, 303);
  });

  app.get("/app/p/:pid/agreement", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const versions = await listAgreements(db, program.id);
    const current = versions[0];
    const accepted = current ? await acceptancesOf(db, current.id) : [];
    const cols: Column<(typeof accepted)[number]>[] = [
      { label: "Partner", value: (a) => a.name }, { label: "Email", value: (a) => a.email }, { label: "Version", value: (a) => a.version, num: true },
      { label: "Accepted", value: (a) => new Date(a.acceptedAt).toISOString(), cell: (a) => fmt.time(a.acceptedAt) },
    ];
    if (wantsCsv(c, "acceptances")) return tableCsv(cols, accepted, "agreement-acceptances.csv");
    const vcols: Column<(typeof versions)[number]>[] = [
      { label: "Version", value: (v) => v.version, num: true }, { label: "Title", value: (v) => v.title },
      { label: "Published", value: (v) => new Date(v.publishedAt).toISOString(), cell: (v) => fmt.time(v.publishedAt) }, { label: "Accepted by", value: (v) => v.acceptedCount, num: true },
    ];
    return c.html(
      <Layout {...ctx.frame("agreement", "Agreement")}>
        <div class="head"><h1>Partner agreement</h1></div>
        <section class="panel">
          <h2>Versions</h2>
          <DataTable caption="Agreement versions" columns={vcols} rows={versions} empty={<Empty title="No agreement yet.">Publish one below: partners are asked to accept it before anything else, and are paid only once they have.</Empty>} />
        </section>
        {current ? (
          <section class="panel">
            <h2>Who accepted version {current.version}</h2>
            <DataTable caption="Acceptances of the current version" columns={cols} rows={accepted} csv={withQuery(c, { format: "csv", table: "acceptances" })} empty={<Empty title="Nobody yet.">Partners see it when they next open their portal.</Empty>} />
          </section>
        ) : null}
        <section class="panel">
          <h2>Publish a new version</h2>
          <form method="post" action={`${base}/agreement`} class="stack">
            <Csrf token={c.var.csrf} />
            <div class="field"><label for="title">Title</label><input id="title" name="title" required maxlength={200} value={current?.title ?? ""} /></div>
            <div class="field"><label for="body">Text</label><textarea id="body" name="body" rows={10} required>{current?.body ?? ""}</textarea></div>
            <button>Publish version {(current?.version ?? 0) + 1}</button>
          </form>
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/agreement", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const body = await c.req.parseBody();
    const title = String(body["title"] ?? "").trim();
    const text = String(body["body"] ?? "");
    const back = `${ctx.base}/agreement`;
    if (!title || title.length > 200 || !text.trim()) return (setFlash(c, "app", "err", "An agreement needs a title (up to 200 characters) and a text."), c.redirect(back, 303));
    const outcome = await publishAgreement(ctx.db, ctx.program, { title, body: text }, ctx.now, c.var.deps.publicUrl);
    setFlash(c, "app", outcome.kind === "ok" ? "ok" : "err", outcome.kind === "ok" ? `Version ${outcome.value.version} is published.` : "The text is too long (60 KiB at most).");
    return c.redirect(back, 303);
  });

  app.get("/app/p/:pid/journey", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, fmt } = ctx;
    const period = periodOf(c, ctx.now);
    const [k, months, satisfaction] = await Promise.all([
      programKpiReport(db, program, period.fromDay, period.toDay, ctx.now), monthlyPartners(db, program.id, monthStart(ctx.now, 11)),
      satisfactionReport(db, program.id, { from: period.fromDay * DAY_MS, to: (period.toDay + 1) * DAY_MS }),
    ]);
    const all = [];
    for (let back = 11; back >= 0; back--) {
      const m = new Date(monthStart(ctx.now, back)).toISOString().slice(0, 7);
      all.push(months.find((x) => x.month === m) ?? { month: m, new: 0, active: 0 });
    }
    const pct = (r: string | null) => (r === null ? "–" : fmt.percent(Number(r)));
    const s = k.partners.byStage;
    return c.html(
      <Layout {...ctx.frame("journey", "Partners overview")}>
        <div class="head"><h1>Partners overview</h1><p class="small muted">{period.from} – {period.to} (UTC)</p></div>
        <Kpis fmt={fmt} items={[
          { label: "Applications", value: fmt.n(k.applications.submitted), note: `approval rate ${pct(k.applications.approvalRate)}` },
          { label: "New partners", value: fmt.n(k.partners.new), note: `activation rate ${pct(k.activationRate)}` },
          { label: "Active partners", value: fmt.n(k.partners.active), note: `retention ${pct(k.retention)}` },
          { label: "Days to first conversion", value: k.medianDaysToFirstConversion === null ? "–" : String(k.medianDaysToFirstConversion), note: "median of new partners" },
          { label: "Partner-sourced revenue", value: k.partnerSourcedRevenue, note: `per active partner ${k.revenuePerActivePartner ?? "–"}` },
          { label: "Partner NPS", value: satisfaction.nps === null ? "–" : String(satisfaction.nps), note: `${fmt.n(satisfaction.responses)} ${satisfaction.responses === 1 ? "response" : "responses"}` },
        ]} />
        <section class="panel">
          <h2>Journey stages today</h2>
          <Facts items={[["Interest (pending applications)", String(s.interest)], ["Recruitment", String(s.recruitment)], ["Activation", String(s.activation)], ["Investment", String(s.investment)], ["Devotion", String(s.devotion)]]} />
        </section>
        <section class="panel">
          <h2>New and active partners by month</h2>
          <MonthlyPartnersChart months={all} fmt={fmt} title="New and active partners, last 12 months" />
        </section>
        <section class="panel">
          <h2>Partner satisfaction</h2>
          <Facts items={[["Responses", String(satisfaction.responses)], ["NPS (promoters 9–10 minus detractors 0–6)", satisfaction.nps === null ? "–" : String(satisfaction.nps)], ["Average score (0–10)", satisfaction.average === null ? "–" : String(satisfaction.average)]]} />
          <DataTable caption="Latest comments" columns={commentColumns(fmt, ctx.base)} rows={satisfaction.comments.slice(0, 10)} empty={<Empty title="No comments in the period.">The portal asks each partner once a quarter.</Empty>} />
        </section>
        <section class="panel">
          <h2>Join sources</h2>
          <DataTable caption="Where applicants came from" columns={[{ label: "Source", value: (r) => r.source ?? "(none)" }, { label: "Applications", value: (r) => r.applications, num: true }, { label: "Approved", value: (r) => r.approved, num: true }]} rows={k.joinSources} empty={<Empty title="No applications in the period.">Add ?source= to the links to your application form.</Empty>} />
        </section>
      </Layout>,
    );
  });
  return app;
}
