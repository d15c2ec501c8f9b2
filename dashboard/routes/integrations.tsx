import { Hono } from "hono";
import { Layout, Csrf, CopyField, DataTable, Empty, type Column } from "../ui";
import { Facts, Pager } from "../pages/manager";
import { getStripeIntegration, listStripeEvents, type StripeEventRow } from "../../src/db/queries/stripe";
import { STRIPE_WEBHOOK_SECRET } from "../../src/domain/stripe";
import { connectStripe, stripeEndpoint } from "../../src/services/integrations/stripe";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

const OUTCOME_LABEL: Record<StripeEventRow["outcome"], string> = {
  conversion: "conversion", duplicate_invoice: "duplicate invoice", refund: "refund", ignored: "ignored",
};

/** Integrations: Stripe (paste the signing secret, copy the endpoint, see what each event became). */
export function integrationRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/app/p/:pid/integrations", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    const [integration, page] = await Promise.all([
      getStripeIntegration(db, program.id),
      listStripeEvents(db, program.id, { limit: 50, cursor: c.req.query("cursor") ?? null }),
    ]);
    // absolute URLs handed out come from AFFLUX_PUBLIC_URL, never from the request's Host
    const endpoint = stripeEndpoint(c.var.deps.publicUrl, program.id);
    const columns: Column<StripeEventRow>[] = [
      { label: "Received", value: (e) => new Date(e.createdAt).toISOString(), cell: (e) => fmt.time(e.createdAt) },
      { label: "Type", value: (e) => e.type, cell: (e) => <span class="mono">{e.type}</span> },
      { label: "Became", value: (e) => OUTCOME_LABEL[e.outcome], cell: (e) => <span class={`badge s-${e.outcome}`}>{OUTCOME_LABEL[e.outcome]}</span> },
      { label: "Conversion", value: (e) => e.conversionId, cell: (e) => (e.conversionId ? <a class="mono" href={`${base}/conversions/${e.conversionId}`}>{e.conversionId}</a> : "—") },
      { label: "Detail", value: (e) => e.detail },
      { label: "Stripe event", value: (e) => e.id, cell: (e) => <span class="mono small">{e.id}</span>, hideSm: true },
    ];
    if (wantsCsv(c, "stripe-events")) return tableCsv(columns, page.data, "stripe-events.csv");
    return c.html(
      <Layout {...ctx.frame("integrations", "Integrations")}>
        <h1>Integrations</h1>
        <section class="panel stack">
          <h2>Stripe</h2>
          <p class="small muted">
            Sales, subscription renewals and refunds arrive from Stripe without a line of code. In Stripe's dashboard (Developers → Webhooks) add an endpoint with this URL and the events <span class="mono">checkout.session.completed</span>, <span class="mono">invoice.paid</span> and <span class="mono">charge.refunded</span>, then paste its signing secret below.
            Pass the click id to Checkout as <span class="mono">client_reference_id</span> or <span class="mono">metadata.afx_click</span>.
          </p>
          <div>
            <label for="stripe-endpoint">Endpoint URL</label>
            <CopyField id="stripe-endpoint" value={endpoint} label="Stripe endpoint URL" />
          </div>
          <Facts items={[["Status", integration ? `connected since ${fmt.day(integration.createdAt)}${integration.updatedAt !== integration.createdAt ? `, secret replaced ${fmt.day(integration.updatedAt)}` : ""}` : "not connected"]]} />
          <form method="post" action={`${base}/integrations/stripe`} class="form top">
            <Csrf token={c.var.csrf} />
            <div class="field full">
              <label for="stripe-secret">{integration ? "Replace the signing secret" : "Signing secret"}</label>
              <input id="stripe-secret" name="webhookSecret" type="password" required autocomplete="off" placeholder="whsec_…" pattern={STRIPE_WEBHOOK_SECRET.source} aria-describedby="stripe-secret-hint" />
              <span class="hint" id="stripe-secret-hint">Kept encrypted; it is never shown again. Paste it again after you roll it in Stripe.</span>
            </div>
            <div class="full"><button>{integration ? "Replace secret" : "Connect Stripe"}</button></div>
          </form>
        </section>
        <section class="panel">
          <h2>Events received</h2>
          <DataTable caption="Stripe events received" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "stripe-events" })}
            empty={<Empty title="No Stripe events yet.">{integration ? "They appear here as Stripe sends them; Stripe's dashboard can send a test event." : "Connect Stripe above first."}</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/integrations/stripe", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const secret = String((await c.req.parseBody())["webhookSecret"] ?? "").trim();
    const back = `${ctx.base}/integrations`;
    if (!STRIPE_WEBHOOK_SECRET.test(secret)) return (setFlash(c, "app", "err", "Nothing was saved: paste the endpoint's signing secret from Stripe, starting whsec_."), c.redirect(back, 303));
    await connectStripe(ctx.db, c.var.deps.secret, ctx.program, secret, ctx.now, ctx.actor);
    setFlash(c, "app", "ok", "Stripe is connected: events signed with this secret are recorded from now on.");
    return c.redirect(back, 303);
  });
  return app;
}
