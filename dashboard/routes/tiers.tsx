import { Hono, type Context } from "hono";
import { Csrf, DataTable, Empty, Layout, type Column } from "../ui";
import { Field, FormError, formOf, refusalOf, Select, text, whole, type Refusal } from "../forms";
import type { Fmt } from "../format";
import { programPartners } from "../../src/db/queries/dashboard";
import { getVendorTier, listTiers, type TierRow } from "../../src/db/queries/tiers";
import { formatMoney } from "../../src/domain/money";
import { changeTier, createTier, deleteTier } from "../../src/services/management/tiers";
import { notFoundPage, tableCsv, wantsCsv } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;
type Ctx = NonNullable<Awaited<ReturnType<typeof programPage>>>;
const LABELS = { threshold: "the threshold", name: "the name", rank: "the rank", windowDays: "the window" };

const reachedAt = (t: TierRow, fmt: Fmt) => (t.rank === 0 ? "entry: every partner starts here" : t.metric === "revenue" ? `${fmt.m(t.threshold)} revenue` : `${fmt.n(t.threshold)} conversions`);
const thresholdText = (t: TierRow, currency: string) => (t.metric === "revenue" ? formatMoney(t.threshold, currency) : String(t.threshold));

function TierFields({ values, withRank }: { values: Record<string, string>; withRank: boolean }) {
  return (
    <>
      <Field id="t-name" name="name" label="Name" value={values["name"]} required maxlength={100} />
      {withRank ? <Field id="t-rank" name="rank" label="Rank" type="number" value={values["rank"]} required min={1} max={100} hint="Higher ranks are better tiers." /> : null}
      <Select id="t-metric" name="metric" label="Metric" value={values["metric"]} options={[["revenue", "Revenue"], ["conversions", "Conversions"]]} />
      <Field id="t-th" name="threshold" label="Threshold" value={values["threshold"]} required inputmode="decimal" placeholder="1000.00" hint="An amount of revenue, or a whole number of conversions." />
      <Field id="t-win" name="windowDays" label="Window (days)" type="number" value={values["windowDays"] ?? "90"} required min={1} max={3650} hint="Results counted over this many days." />
    </>
  );
}

/** Tiers: the list with how many partners each holds, adding, changing and deleting one. */
export function tierRoutes() {
  const app = new Hono<DashEnv>();

  const listPage = async (c: C, ctx: Ctx, values: Record<string, string>, refusal: Refusal | null) => {
    const { db, program, base, fmt } = ctx;
    const [tiers, partners] = await Promise.all([listTiers(db, program.id), programPartners(db, program.id)]);
    const held = new Map<string, number>();
    for (const p of partners) held.set(p.tierId, (held.get(p.tierId) ?? 0) + 1);
    const cols: Column<TierRow>[] = [
      { label: "Rank", value: (t) => t.rank, num: true },
      { label: "Tier", value: (t) => t.name },
      { label: "Reached at", value: (t) => reachedAt(t, fmt) },
      { label: "Window", value: (t) => `${t.windowDays} days` },
      { label: "Partners", value: (t) => held.get(t.id) ?? 0, num: true },
      {
        label: "Actions", value: () => null, noCsv: true,
        cell: (t) => (
          <span class="row">
            <a class="small" href={`${base}/tiers/${t.id}`} aria-label={`Edit tier ${t.name}`}>Edit</a>
            {t.rank === 0 ? null : (
              <form method="post" action={`${base}/tiers/${t.id}/delete`} class="inline" data-confirm={`Delete tier ${t.name} and its rules?`}>
                <Csrf token={c.var.csrf} />
                <button class="small danger" aria-label={`Delete tier ${t.name}`}>Delete</button>
              </form>
            )}
          </span>
        ),
      },
    ];
    if (wantsCsv(c, "tiers")) return tableCsv(cols, tiers, "tiers.csv");
    const next = String(Math.max(0, ...tiers.map((t) => t.rank)) + 1);
    return c.html(
      <Layout {...ctx.frame("rules", "Tiers")}>
        <div class="head"><h1>Tiers</h1><a href={`${base}/rules`}>← Rules and who earns what</a></div>
        {refusal ? <FormError refusal={refusal} /> : null}
        <section class="panel">
          <p class="small muted">Partners move up or down when the settle job finds their results over a tier's threshold. A tier can be deleted only when no partner is in it; the entry tier stays.</p>
          <DataTable caption="Tiers" columns={cols} rows={tiers} csv={`${base}/tiers?format=csv&table=tiers`} empty={<Empty title="No tiers">Every program has an entry tier.</Empty>} />
        </section>
        <section class="panel">
          <h2>Add a tier</h2>
          <form method="post" action={`${base}/tiers`} class="form">
            <Csrf token={c.var.csrf} />
            <TierFields values={{ rank: next, ...values }} withRank />
            <button>Add tier</button>
          </form>
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };

  app.get("/app/p/:pid/tiers", async (c) => {
    const ctx = await programPage(c);
    return ctx ? listPage(c, ctx, {}, null) : notFoundPage(c, "app");
  });

  app.post("/app/p/:pid/tiers", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const f = await formOf(c);
    const name = text(f, "name");
    const rank = whole(f, "rank");
    const windowDays = whole(f, "windowDays");
    let refused: Refusal | null = null;
    if (!name || name.length > 100) refused = { text: "Nothing was saved: a tier needs a name (up to 100 characters).", status: 400 };
    else if (!(rank >= 1 && rank <= 100)) refused = { text: "Nothing was saved: the rank is a whole number 1–100 (0 is the entry tier).", status: 400 };
    else if (!(windowDays >= 1 && windowDays <= 3650)) refused = { text: "Nothing was saved: the window is 1–3650 days.", status: 400 };
    else {
      const outcome = await createTier(ctx.db, ctx.program, { name, rank, metric: f["metric"] === "conversions" ? "conversions" : "revenue", threshold: text(f, "threshold"), windowDays }, ctx.now, ctx.actor);
      refused = refusalOf(outcome, LABELS);
    }
    if (refused) return listPage(c, ctx, f, refused);
    setFlash(c, "app", "ok", `Tier ${name} added; partners move into it at the next settle.`);
    return c.redirect(`${ctx.base}/tiers`, 303);
  });

  const tierOf = async (c: C, ctx: Ctx) => {
    const found = await getVendorTier(ctx.db, c.var.session.vendorId, c.req.param("tid") ?? "");
    return found && found.program.id === ctx.program.id ? found.tier : null;
  };

  const editPage = async (c: C, ctx: Ctx, tier: TierRow, values: Record<string, string>, refusal: Refusal | null) =>
    c.html(
      <Layout {...ctx.frame("rules", `Edit tier ${tier.name}`)}>
        <div class="head"><div><p class="small muted"><a href={`${ctx.base}/tiers`}>Tiers</a> /</p><h1>Tier {tier.name} (rank {tier.rank})</h1></div></div>
        <section class="panel">
          <FormError refusal={refusal} />
          <form method="post" action={`${ctx.base}/tiers/${tier.id}`} class="form">
            <Csrf token={c.var.csrf} />
            <TierFields values={values} withRank={false} />
            <button>Save tier</button>
          </form>
          {tier.rank === 0 ? <p class="small muted">The entry tier's threshold stays 0: every partner qualifies for it.</p> : null}
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );

  app.get("/app/p/:pid/tiers/:tid", async (c) => {
    const ctx = await programPage(c);
    const tier = ctx && (await tierOf(c, ctx));
    if (!ctx || !tier) return notFoundPage(c, "app");
    return editPage(c, ctx, tier, { name: tier.name, metric: tier.metric, threshold: thresholdText(tier, ctx.program.currency), windowDays: String(tier.windowDays) }, null);
  });

  app.post("/app/p/:pid/tiers/:tid", async (c) => {
    const ctx = await programPage(c);
    const tier = ctx && (await tierOf(c, ctx));
    if (!ctx || !tier) return notFoundPage(c, "app");
    const f = await formOf(c);
    const name = text(f, "name");
    const windowDays = whole(f, "windowDays");
    if (!name || name.length > 100) return editPage(c, ctx, tier, f, { text: "Nothing was saved: a tier needs a name (up to 100 characters).", status: 400 });
    if (!(windowDays >= 1 && windowDays <= 3650)) return editPage(c, ctx, tier, f, { text: "Nothing was saved: the window is 1–3650 days.", status: 400 });
    const outcome = await changeTier(ctx.db, ctx.program, tier, { name, windowDays, metric: f["metric"] === "conversions" ? "conversions" : "revenue", threshold: text(f, "threshold") }, ctx.actor, ctx.now);
    const refused = refusalOf(outcome, LABELS);
    if (refused) return editPage(c, ctx, tier, f, refused);
    setFlash(c, "app", "ok", `Tier ${name} saved; partners move on the next settle.`);
    return c.redirect(`${ctx.base}/tiers`, 303);
  });

  app.post("/app/p/:pid/tiers/:tid/delete", async (c) => {
    const ctx = await programPage(c);
    const tier = ctx && (await tierOf(c, ctx));
    if (!ctx || !tier) return notFoundPage(c, "app");
    const refused = refusalOf(await deleteTier(ctx.db, ctx.program, tier, ctx.now, ctx.actor));
    if (refused) return listPage(c, ctx, {}, { ...refused, text: `Tier ${tier.name} was not deleted: ${refused.text.replace(/^Nothing was saved: /, "")}` });
    setFlash(c, "app", "ok", `Tier ${tier.name} and its rules were deleted.`);
    return c.redirect(`${ctx.base}/tiers`, 303);
  });
  return app;
}
