import { Hono, type Context } from "hono";
import { Badge, Csrf, DataTable, Empty, Layout, type Column } from "../ui";
import { Field, FormError, formOf, refusalOf, Select, text, type Refusal } from "../forms";
import type { Fmt } from "../format";
import { getVendorRule, listProgramRules, type RuleRow } from "../../src/db/queries/programs";
import { listTiers, type TierRow } from "../../src/db/queries/tiers";
import { pickRule } from "../../src/domain/commission";
import { formatMoney, formatPercent } from "../../src/domain/money";
import { archiveCommissionRule, changeRule, createRule } from "../../src/services/management/rules";
import { notFoundPage, tableCsv, wantsCsv } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;
type Ctx = NonNullable<Awaited<ReturnType<typeof programPage>>>;
const EVENTS = ["sale", "lead"] as const;
const LABELS = { value: "the value", tierId: "the tier", durationMonths: "the duration" };

/** The recurring-commission choice of a form: "" lifetime, "0" first conversion only, N months. */
function durationOf(f: Record<string, string>): number | null | "invalid" {
  const raw = text(f, "durationMonths");
  if (raw === "") return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 1200 ? n : "invalid";
}
const DURATION_REFUSAL: Refusal = { text: "Nothing was saved: the duration must be empty (lifetime), 0 (first sale only) or a whole number of months up to 1200.", status: 400 };
const durationText = (m: number | null) => (m === null ? "lifetime" : m === 0 ? "first sale only" : `${m} month${m === 1 ? "" : "s"}`);

export const ruleText = (r: Pick<RuleRow, "type" | "value">, fmt: Fmt) => (r.type === "percent" ? `${formatPercent(r.value)}%` : `${fmt.m(r.value)} flat`);
const valueText = (r: Pick<RuleRow, "type" | "value">, currency: string) => (r.type === "percent" ? formatPercent(r.value) : formatMoney(r.value, currency));

/** For each tier and event, the rule that prices a sale of a partner in that tier now (domain pickRule). */
type PrecedenceRow = { tier: TierRow; picked: Record<(typeof EVENTS)[number], RuleRow | null> };
const precedenceOf = (tiers: TierRow[], rules: RuleRow[], now: number): PrecedenceRow[] =>
  tiers.map((tier) => ({ tier, picked: { sale: pickRule(rules, "sale", tier.id, now) as RuleRow | null, lead: pickRule(rules, "lead", tier.id, now) as RuleRow | null } }));
const pickedText = (r: RuleRow | null, fmt: Fmt) => (r ? `${ruleText(r, fmt)} (${r.tierId ? "tier rule" : "program-wide rule"})` : "no rule");
const precedenceColumns = (fmt: Fmt): Column<PrecedenceRow>[] => [
  { label: "tier", value: (r) => r.tier.name }, ...EVENTS.map((e): Column<PrecedenceRow> => ({ label: e, value: (r) => pickedText(r.picked[e], fmt) })),
];

function Precedence({ tiers, rules, fmt, now, csv }: { tiers: TierRow[]; rules: RuleRow[]; fmt: Fmt; now: number; csv: string }) {
  return (
    <div>
    <div class="tools"><span /><a class="small" href={csv} download>Export CSV</a></div>
    <div class="tw">
      <table>
        <caption class="skip">Which rule prices a conversion of a partner in each tier</caption>
        <thead><tr><th scope="col">Partner's tier</th>{EVENTS.map((e) => <th scope="col">A {e}</th>)}</tr></thead>
        <tbody>
          {tiers.map((t) => (
            <tr>
              <th scope="row">{t.name}</th>
              {EVENTS.map((e) => {
                const r = pickRule(rules, e, t.id, now);
                return <td>{r ? <><strong>{ruleText(r, fmt)}</strong> <span class="small muted">{r.tierId ? `(${t.name}'s own rule)` : "(program-wide rule)"}</span></> : <span class="muted">no rule: earns nothing</span>}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    </div>
  );
}

function RuleForm({ action, csrf, values, tiers, edit }: { action: string; csrf: string; values: Record<string, string>; tiers?: TierRow[]; edit?: boolean }) {
  return (
    <form method="post" action={action} class="form">
      <Csrf token={csrf} />
      {edit ? null : <Select id="r-event" name="event" label="Event" value={values["event"]} options={[["sale", "Sale"], ["lead", "Lead"]]} />}
      <Select id="r-type" name="type" label="Type" value={values["type"]} options={[["percent", "Percent of amount"], ["flat", "Flat amount"]]} />
      <Field id="r-value" name="value" label="Value" value={values["value"]} required inputmode="decimal" placeholder="20" hint="A percent (20 = 20 %) or an amount (5.00)." />
      <Field id="r-duration" name="durationMonths" label="Pays for (months)" value={values["durationMonths"]} inputmode="numeric" placeholder="lifetime"
        hint="Recurring sales of a customer: empty pays for life, 0 only the first sale, N the sales within N months of the first." />
      {tiers ? <Select id="r-tier" name="tierId" label="Tier" value={values["tierId"]} options={[["", "All tiers (program-wide)"], ...tiers.map((t): [string, string] => [t.id, t.name])]} /> : null}
      <button>{edit ? "Save rule" : "Add rule"}</button>
    </form>
  );
}

/** Commission rules: the list, which rule applies to whom, adding, changing and archiving. */
export function ruleRoutes() {
  const app = new Hono<DashEnv>();

  const listPage = async (c: C, ctx: Ctx, values: Record<string, string>, refusal: Refusal | null) => {
    const { db, program, base, fmt } = ctx;
    const all = c.req.query("all") === "1";
    const [tiers, rules, active] = await Promise.all([listTiers(db, program.id), listProgramRules(db, program.id, { archived: all }), listProgramRules(db, program.id, { archived: false })]);
    const tierName = new Map(tiers.map((t) => [t.id, t.name]));
    const cols: Column<RuleRow>[] = [
      { label: "Event", value: (r) => r.event },
      { label: "Tier", value: (r) => (r.tierId ? tierName.get(r.tierId) ?? "(deleted tier)" : "all tiers") },
      { label: "Commission", value: (r) => ruleText(r, fmt) },
      { label: "Pays for", value: (r) => durationText(r.durationMonths) },
      { label: "Since", value: (r) => new Date(r.createdAt).toISOString(), cell: (r) => fmt.day(r.createdAt) },
      { label: "Status", value: (r) => (r.archivedAt ? "archived" : "active"), cell: (r) => (r.archivedAt ? <Badge status="archived" /> : <span class="small">active</span>) },
      {
        label: "Actions", value: () => null, noCsv: true,
        cell: (r) => (r.archivedAt ? null : (
          <span class="row">
            <a class="small" href={`${base}/rules/${r.id}`} aria-label={`Edit the ${r.event} rule ${ruleText(r, fmt)}`}>Edit</a>
            <form method="post" action={`${base}/rules/${r.id}/archive`} class="inline" data-confirm="Archive this rule? It prices nothing new; commissions keep naming it.">
              <Csrf token={c.var.csrf} />
              <button class="small danger" aria-label={`Archive the ${r.event} rule ${ruleText(r, fmt)}`}>Archive</button>
            </form>
          </span>
        )),
      },
    ];
    if (wantsCsv(c, "rules")) return tableCsv(cols, rules, "rules.csv");
    if (wantsCsv(c, "precedence")) return tableCsv(precedenceColumns(fmt), precedenceOf(tiers, active, ctx.now), "rule-precedence.csv");
    return c.html(
      <Layout {...ctx.frame("rules", "Rules")}>
        <div class="head"><h1>Commission rules</h1><a href={`${base}/tiers`}>Tiers →</a></div>
        <section class="panel">
          <h2>Who earns what</h2>
          <p class="small muted">A tier's own rule beats the program-wide one; among equals the newest wins. Changes apply to conversions recorded from now on.</p>
          <Precedence tiers={tiers} rules={active} fmt={fmt} now={ctx.now} csv={`${base}/rules?format=csv&table=precedence`} />
        </section>
        <section class="panel">
          <h2>Rules</h2>
          <DataTable caption="Commission rules" columns={cols} rows={rules} csv={`${base}/rules?format=csv&table=rules${all ? "&all=1" : ""}`}
            tools={<a class="small" href={all ? `${base}/rules` : `${base}/rules?all=1`}>{all ? "Hide archived rules" : "Show archived rules too"}</a>}
            empty={<Empty title="No rules yet.">Without a rule conversions earn no commission: add one below.</Empty>} />
        </section>
        <section class="panel">
          <h2>Add a rule</h2>
          <FormError refusal={refusal} />
          <RuleForm action={`${base}/rules`} csrf={c.var.csrf} values={values} tiers={tiers} />
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };

  app.get("/app/p/:pid/rules", async (c) => {
    const ctx = await programPage(c);
    return ctx ? listPage(c, ctx, {}, null) : notFoundPage(c, "app");
  });

  app.post("/app/p/:pid/rules", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const f = await formOf(c);
    const durationMonths = durationOf(f);
    if (durationMonths === "invalid") return listPage(c, ctx, f, DURATION_REFUSAL);
    const outcome = await createRule(ctx.db, ctx.program, {
      event: f["event"] === "lead" ? "lead" : "sale", type: f["type"] === "flat" ? "flat" : "percent", value: text(f, "value"), tierId: text(f, "tierId") || undefined, durationMonths,
    }, ctx.now, ctx.actor);
    const refused = refusalOf(outcome, LABELS);
    if (refused || outcome.kind !== "ok") return listPage(c, ctx, f, refused);
    setFlash(c, "app", "ok", `Rule added: ${ruleText(outcome.value, ctx.fmt)} per ${outcome.value.event}.`);
    return c.redirect(`${ctx.base}/rules`, 303);
  });

  /** The rule named in the path when it belongs to this program, else null (a 404). */
  const ruleOf = async (c: C, ctx: Ctx) => {
    const found = await getVendorRule(ctx.db, c.var.session.vendorId, c.req.param("rid") ?? "");
    return found && found.program.id === ctx.program.id ? found.rule : null;
  };

  const editPage = async (c: C, ctx: Ctx, rule: RuleRow, values: Record<string, string>, refusal: Refusal | null) => {
    const tiers = await listTiers(ctx.db, ctx.program.id);
    const tier = rule.tierId ? tiers.find((t) => t.id === rule.tierId)?.name ?? "(deleted tier)" : "all tiers";
    return c.html(
      <Layout {...ctx.frame("rules", "Edit rule")}>
        <div class="head"><div><p class="small muted"><a href={`${ctx.base}/rules`}>Rules</a> /</p><h1>Rule for a {rule.event}, {tier}</h1></div></div>
        <section class="panel">
          <p class="small muted">Now {ruleText(rule, ctx.fmt)}. Existing commissions keep the amount they were priced with; new conversions use the changed rule.</p>
          <FormError refusal={refusal} />
          {rule.archivedAt ? <p>This rule is archived; create a new one instead.</p> : <RuleForm action={`${ctx.base}/rules/${rule.id}`} csrf={c.var.csrf} values={values} edit />}
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };

  app.get("/app/p/:pid/rules/:rid", async (c) => {
    const ctx = await programPage(c);
    const rule = ctx && (await ruleOf(c, ctx));
    if (!ctx || !rule) return notFoundPage(c, "app");
    return editPage(c, ctx, rule, { type: rule.type, value: valueText(rule, ctx.program.currency), durationMonths: rule.durationMonths === null ? "" : String(rule.durationMonths) }, null);
  });

  app.post("/app/p/:pid/rules/:rid", async (c) => {
    const ctx = await programPage(c);
    const rule = ctx && (await ruleOf(c, ctx));
    if (!ctx || !rule) return notFoundPage(c, "app");
    const f = await formOf(c);
    const durationMonths = durationOf(f);
    if (durationMonths === "invalid") return editPage(c, ctx, rule, f, DURATION_REFUSAL);
    const outcome = await changeRule(ctx.db, ctx.program, rule, { type: f["type"] === "flat" ? "flat" : "percent", value: text(f, "value"), durationMonths }, ctx.actor, ctx.now);
    const refused = refusalOf(outcome, LABELS);
    if (refused || outcome.kind !== "ok") return editPage(c, ctx, rule, f, refused);
    setFlash(c, "app", "ok", `Rule changed: ${ruleText(outcome.value, ctx.fmt)} per ${rule.event} from now on.`);
    return c.redirect(`${ctx.base}/rules`, 303);
  });

  app.post("/app/p/:pid/rules/:rid/archive", async (c) => {
    const ctx = await programPage(c);
    const rule = ctx && (await ruleOf(c, ctx));
    if (!ctx || !rule) return notFoundPage(c, "app");
    await archiveCommissionRule(ctx.db, ctx.program, rule, ctx.now, ctx.actor);
    setFlash(c, "app", "ok", `The ${rule.event} rule ${ruleText(rule, ctx.fmt)} was archived: it prices nothing new.`);
    return c.redirect(`${ctx.base}/rules`, 303);
  });
  return app;
}
