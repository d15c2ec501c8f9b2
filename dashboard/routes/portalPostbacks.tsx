import { Hono, type Context } from "hono";
import { Csrf, DataTable, Empty, Layout } from "../ui";
import { Pager } from "../pages/manager";
import { deliveryColumns } from "../pages/webhooks";
import { listDeliveries } from "../../src/db/queries/webhooks";
import { changePartner } from "../../src/services/management/partners";
import { checkPostbackUrl } from "../../src/services/webhooks/postbacks";
import { notFoundPage, tableCsv, wantsCsv, withQuery } from "./common";
import { partnerPage } from "./portal";
import { sessionActor, setFlash, type DashEnv } from "./session";

const MACROS = "{click_id} {sub1} {sub2} {sub3} {sub4} {sub5} {order_id} {event} {amount} {commission} {currency} {status}";

/** The portal's postbacks page: the partner's URL template and the log of what it fired. */
export function portalPostbackRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/portal/postbacks", async (c) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const columns = [{ label: "URL", value: (d: { url: string | null }) => d.url, cell: (d: { url: string | null }) => <span class="mono small">{d.url ?? "–"}</span> }, ...deliveryColumns((ms) => ctx.fmt.time(ms))];
    const page = await listDeliveries(ctx.db, "postback", ctx.partner.id, { limit: 100, cursor: c.req.query("cursor") ?? null });
    if (wantsCsv(c, "postbacks")) return tableCsv(columns, page.data, "my-postbacks.csv");
    return c.html(
      <Layout {...ctx.frame("postbacks", "Postbacks")}>
        <div class="head"><h1>Postbacks</h1></div>
        <section class="panel">
          <h2>Postback URL</h2>
          <p class="small">Requested (GET) for each of your attributed conversions. Macros, URL-encoded: <code>{MACROS}</code>. https to a public host only.</p>
          <form method="post" action="/portal/postbacks" class="form">
            <Csrf token={c.var.csrf} />
            <div class="field"><label for="pb-url">URL template</label><input id="pb-url" name="postbackUrl" value={ctx.partner.postbackUrl ?? ""} placeholder="https://tracker.example.com/pb?cid={click_id}&payout={commission}" /></div>
            <button>Save</button>
          </form>
        </section>
        <section class="panel">
          <DataTable caption="Deliveries" columns={columns} rows={page.data} csv={withQuery(c, { format: "csv", table: "postbacks", cursor: null })}
            empty={<Empty title="Nothing fired yet.">Once a URL is saved, each new attributed conversion requests it within a second.</Empty>} />
          <Pager next={page.nextCursor ? withQuery(c, { cursor: page.nextCursor }) : null} />
        </section>
      </Layout>,
    );
  });

  app.post("/portal/postbacks", async (c: Context<DashEnv>) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    const raw = String((await c.req.parseBody())["postbackUrl"] ?? "").trim();
    const checked = await checkPostbackUrl(ctx.db, raw === "" ? null : raw, c.var.deps.webhookTargets ?? { allowPrivate: false });
    if (checked.kind !== "ok") {
      setFlash(c, "portal", "err", `Not saved: ${"message" in checked ? checked.message : "refused"}.`);
      return c.redirect("/portal/postbacks", 303);
    }
    const program = ctx.program;
    const saved = await changePartner(ctx.db, program, ctx.partner, { postbackUrl: checked.value }, sessionActor(c.var.session), ctx.now);
    setFlash(c, "portal", saved.kind === "ok" ? "ok" : "err", saved.kind === "ok" ? (checked.value ? "Saved: new conversions fire it." : "Postbacks stopped.") : "Not saved.");
    return c.redirect("/portal/postbacks", 303);
  });
  return app;
}
