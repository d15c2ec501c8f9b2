import { Hono, type Context } from "hono";
import { Csrf, CopyField, DataTable, Empty, Layout } from "../ui";
import { Pager } from "../pages/manager";
import { deliveryColumns, endpointColumns } from "../pages/webhooks";
import { getVendorEndpoint, listDeliveries, listEndpoints, type DeliveryRow } from "../../src/db/queries/webhooks";
import { listPrograms } from "../../src/db/queries/programs";
import { WEBHOOK_EVENTS } from "../../src/domain/webhooks";
import type { Actor } from "../../src/domain/audit";
import { changeEndpoint, createEndpoint, removeEndpoint, retryDelivery, rotateEndpointSecret, sendTestEvent } from "../../src/services/webhooks/endpoints";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

const policyOf = (c: Context<DashEnv>) => c.var.deps.webhookTargets ?? { allowPrivate: false };

/** The events a form ticked: known names only; none, or "every event", is every event. */
function eventsOf(b: Record<string, unknown>): string[] {
  const raw = b["events"];
  const events = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String).filter((e) => e === "*" || (WEBHOOK_EVENTS as readonly string[]).includes(e));
  return events.includes("*") || events.length === 0 ? ["*"] : events;
}

/** The URL and event checkboxes of an endpoint form (a new endpoint's, or a change of one). */
function EndpointFields({ prefix, url, events }: { prefix: string; url: string; events: string[] }) {
  const every = events.includes("*");
  return (
    <>
      <div class="field"><label for={`${prefix}-url`}>URL (https)</label><input id={`${prefix}-url`} name="url" type="url" required placeholder="https://hooks.example.com/afflux" value={url} /></div>
      <fieldset class="field"><legend>Events</legend>
        <label><input type="checkbox" name="events" value="*" checked={every} /> every event</label>
        {WEBHOOK_EVENTS.map((e) => <label><input type="checkbox" name="events" value={e} checked={!every && events.includes(e)} /> <code>{e}</code></label>)}
      </fieldset>
    </>
  );
}

/**
 * Webhooks (`/app/p/:pid/webhooks`): the vendor's endpoints (every program's, or this one's),
 * a new endpoint's secret shown once, each endpoint's delivery log with the answers' first
 * bytes, a test event, retries, rotation. Writes go through the same services as the API.
 */
export function webhookRoutes() {
  const app = new Hono<DashEnv>();

  const listPage = async (c: Context<DashEnv>, shown: { secret: string; url: string } | null = null) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base } = ctx;
    const page = await listEndpoints(db, program.vendorId, { limit: 100, cursor: c.req.query("cursor") ?? null });
    const names = new Map((await listPrograms(db, program.vendorId, { limit: 100, cursor: null })).data.map((p) => [p.id, p.name]));
    const columns = endpointColumns(base, (id) => (id === null ? "every program" : names.get(id) ?? id));
    if (wantsCsv(c, "webhooks")) return tableCsv(columns, page.data, "webhooks.csv");
    return c.html(
      <Layout {...ctx.frame("webhooks", "Webhooks")}>
        <div class="head"><h1>Webhooks</h1></div>
        {shown ? (
          <div class="panel" role="status">
            <h2>Signing secret for {shown.url}</h2>
            <p class="small">Shown only now: verify each delivery's <code>webhook-signature</code> with it (Standard Webhooks).</p>
            <CopyField id="webhook-secret" value={shown.secret} label="Signing secret" />
          </div>
        ) : null}
        <section class="panel">
          <DataTable caption="Endpoints" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "webhooks", cursor: null })}
            empty={<Empty title="No endpoint yet.">Add one below: afflux then POSTs signed events (sales, refunds, commissions, payouts, partners) to it.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
        <section class="panel">
          <h2>Add an endpoint</h2>
          <form method="post" action={`${base}/webhooks`} class="form">
            <Csrf token={c.var.csrf} />
            <EndpointFields prefix="w" url="" events={["*"]} />
            <div class="field"><label><input type="checkbox" name="thisProgram" value="1" /> only {program.name}</label></div>
            <button>Add endpoint</button>
          </form>
        </section>
      </Layout>,
    );
  };

  app.get("/app/p/:pid/webhooks", (c) => listPage(c));

  app.post("/app/p/:pid/webhooks", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const b = await c.req.parseBody({ all: true });
    const created = await createEndpoint(ctx.db, c.var.deps.secret, ctx.program.vendorId, {
      url: String(b["url"] ?? "").trim(), events: eventsOf(b),
      programId: b["thisProgram"] ? ctx.program.id : undefined,
    }, policyOf(c), ctx.now, ctx.actor);
    if (created.kind !== "ok") {
      setFlash(c, "app", "err", `The endpoint was refused: ${"message" in created ? created.message : created.kind}.`);
      return c.redirect(`${ctx.base}/webhooks`, 303);
    }
    return listPage(c, { secret: created.value.secret, url: created.value.endpoint.url });
  });

  const endpointPage = async (c: Context<DashEnv>, secret: string | null = null) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const endpoint = await getVendorEndpoint(ctx.db, ctx.program.vendorId, c.req.param("id") ?? "");
    if (!endpoint) return notFoundPage(c, "app");
    const columns = deliveryColumns((ms) => ctx.fmt.time(ms));
    const page = await listDeliveries(ctx.db, "webhook", endpoint.id, { limit: 100, cursor: c.req.query("cursor") ?? null });
    if (wantsCsv(c, "deliveries")) return tableCsv(columns, page.data, `${endpoint.id}-deliveries.csv`);
    const self = `${ctx.base}/webhooks/${endpoint.id}`;
    const retryColumn = {
      label: "", value: () => null, noCsv: true,
      cell: (d: DeliveryRow) => (d.status === "pending" ? null : (
        <form method="post" action={`${self}/deliveries/${d.id}/retry`}><Csrf token={c.var.csrf} /><button class="small secondary">Send again</button></form>
      )),
    };
    return c.html(
      <Layout {...ctx.frame("webhooks", "Webhook")}>
        <div class="head"><div><p class="small muted"><a href={`${ctx.base}/webhooks`}>Webhooks</a> /</p><h1 class="mono">{endpoint.url}</h1></div></div>
        {secret ? (
          <div class="panel" role="status">
            <h2>New signing secret</h2>
            <p class="small">Shown only now. The previous secret keeps signing alongside it for 24 hours.</p>
            <CopyField id="webhook-secret" value={secret} label="Signing secret" />
          </div>
        ) : null}
        {!endpoint.enabled ? (
          <div class="panel" role="status"><strong>Disabled{endpoint.disabledReason === "failing" ? ": every attempt failed for 5 days" : ""}.</strong> Nothing is sent until you enable it again.</div>
        ) : null}
        <section class="panel row">
          <form method="post" action={`${self}/test`}><Csrf token={c.var.csrf} /><button>Send test event</button></form>
          <form method="post" action={`${self}/enabled`}><Csrf token={c.var.csrf} /><input type="hidden" name="enabled" value={endpoint.enabled ? "0" : "1"} /><button class="secondary">{endpoint.enabled ? "Disable" : "Enable"}</button></form>
          <form method="post" action={`${self}/rotate`}><Csrf token={c.var.csrf} /><input type="hidden" name="since" value={String(endpoint.updatedAt)} /><button class="secondary">Rotate secret</button></form>
          <form method="post" action={`${self}/delete`}><Csrf token={c.var.csrf} /><button class="secondary">Delete</button></form>
        </section>
        <section class="panel">
          <h2>Change the endpoint</h2>
          <form method="post" action={`${self}/edit`} class="form">
            <Csrf token={c.var.csrf} />
            <EndpointFields prefix="we" url={endpoint.url} events={endpoint.events} />
            <button class="secondary">Save endpoint</button>
          </form>
        </section>
        <section class="panel">
          <DataTable caption="Deliveries" columns={[...columns, retryColumn]} rows={page.data} csv={withQuery(c, { format: "csv", table: "deliveries", cursor: null })}
            empty={<Empty title="Nothing sent yet.">Events go out within a second of the change; "Send test event" sends one now.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  };

  app.get("/app/p/:pid/webhooks/:id", (c) => endpointPage(c));

  /** A write on one endpoint: found (else 404), done, then back to its page with a flash. */
  const onEndpoint = (path: string, act: (c: Context<DashEnv>, e: NonNullable<Awaited<ReturnType<typeof getVendorEndpoint>>>, now: number, actor: Actor) => Promise<string | Response>) =>
    app.post(`/app/p/:pid/webhooks/:id/${path}`, async (c) => {
      const ctx = await programPage(c);
      if (!ctx) return notFoundPage(c, "app");
      const endpoint = await getVendorEndpoint(ctx.db, ctx.program.vendorId, c.req.param("id") ?? "");
      if (!endpoint) return notFoundPage(c, "app");
      const done = await act(c, endpoint, ctx.now, ctx.actor);
      if (done instanceof Response) return done;
      setFlash(c, "app", "ok", done);
      return c.redirect(path === "delete" ? `${ctx.base}/webhooks` : `${ctx.base}/webhooks/${endpoint.id}`, 303);
    });

  onEndpoint("test", async (c, e, now) => (await sendTestEvent(c.var.deps.db, e, now), "A test event is on its way."));
  onEndpoint("enabled", async (c, e, now, actor) => {
    const on = String((await c.req.parseBody())["enabled"] ?? "") === "1";
    await changeEndpoint(c.var.deps.db, e, { enabled: on }, policyOf(c), now, actor);
    return on ? "Enabled: new events go out again." : "Disabled: nothing is sent until you enable it.";
  });
  // the same change as PATCH /api/v1/webhooks/{id}: a new URL passes the same target checks
  onEndpoint("edit", async (c, e, now, actor) => {
    const b = await c.req.parseBody({ all: true });
    const changed = await changeEndpoint(c.var.deps.db, e, { url: String(b["url"] ?? "").trim(), events: eventsOf(b) }, policyOf(c), now, actor);
    if (changed.kind === "ok") return `Endpoint saved: ${changed.value.url}, ${changed.value.events.includes("*") ? "every event" : changed.value.events.join(", ")}.`;
    setFlash(c, "app", "err", `Nothing was saved: ${"message" in changed ? changed.message : "the endpoint was removed meanwhile"}.`);
    return c.redirect(`/app/p/${c.req.param("pid")}/webhooks/${e.id}`, 303);
  });
  onEndpoint("delete", async (c, e, now, actor) => (await removeEndpoint(c.var.deps.db, e, now, actor), "Endpoint deleted."));
  onEndpoint("rotate", async (c, e, now, actor) => {
    // the new secret is this answer (a page): a reload sends the form again, and a second rotation
    // would leave the secret just shown as the "previous" one, dead in 24 hours. The form names
    // the endpoint's version it saw; once the endpoint changed, a second send changes nothing.
    const since = String((await c.req.parseBody())["since"] ?? "");
    if (since && since !== String(e.updatedAt)) {
      setFlash(c, "app", "err", "Nothing was changed: the endpoint changed since this page was shown (was the form sent twice, e.g. by reloading?). The secret shown then is the current one.");
      return c.redirect(`/app/p/${c.req.param("pid")}/webhooks/${e.id}`, 303);
    }
    const rotated = await rotateEndpointSecret(c.var.deps.db, c.var.deps.secret, e, now, actor);
    return rotated.kind === "ok" ? endpointPage(c, rotated.value) : "The endpoint was removed meanwhile.";
  });
  onEndpoint("deliveries/:did/retry", async (c, e, now) => {
    const r = await retryDelivery(c.var.deps.db, e.vendorId, c.req.param("did") ?? "", (id) => getVendorEndpoint(c.var.deps.db, e.vendorId, id), now);
    return r.kind === "ok" ? "Sent again: it goes out within a second." : `Not sent: ${"message" in r ? r.message : "no such delivery"}.`;
  });
  return app;
}
