import { Hono, type Context } from "hono";
import { Csrf, Layout } from "../ui";
import { FormError, formOf, ShownOnce, text, type Refusal } from "../forms";
import { currentPartnerKeyId } from "../../src/db/queries/keys";
import { rotatePartnerKeyOf } from "../../src/services/management/keys";
import { notFoundPage } from "./common";
import { partnerPage } from "./portal";
import { sessionActor, type DashEnv } from "./session";

type C = Context<DashEnv>;

/** The partner's own key: replacing it (the same use-case as `POST /api/v1/me/rotate-key`). */
export function portalKeyRoutes() {
  const app = new Hono<DashEnv>();
  const page = async (c: C, newKey: string | null) => {
    const ctx = await partnerPage(c);
    if (!ctx) return notFoundPage(c, "portal");
    let refusal: Refusal | null = null;
    if (newKey === "") {
      // the new key is this answer: a reload sends the form again and must not replace the key just shown
      const replaces = text(await formOf(c), "replaces");
      if (replaces && replaces !== (await currentPartnerKeyId(ctx.db, ctx.partner.id))) {
        refusal = { text: "Nothing was changed: your key was already replaced (the form was sent twice, e.g. by reloading the page). The key shown then is the current one.", status: 409 };
        newKey = null;
      } else newKey = await rotatePartnerKeyOf(ctx.db, ctx.program, ctx.partner, ctx.now, sessionActor(c.var.session));
    }
    const keyId = await currentPartnerKeyId(ctx.db, ctx.partner.id);
    return c.html(
      <Layout {...ctx.frame("key", "My key")}>
        <div class="head"><h1>My partner key</h1></div>
        {newKey ? (
          <ShownOnce title="Your new key" keys={[{ id: "new-partner-key", label: "Partner key", value: newKey }]}>
            <p class="small muted">Your old key stopped working now. You stay signed in here; sign in with the new key next time.</p>
          </ShownOnce>
        ) : null}
        <FormError refusal={refusal} />
        <section class="panel">
          <p>Your key opens this portal and the partner API (your links, results and earnings). If it leaked, or you are not sure who has it, replace it: the old one stops at once.</p>
          <form method="post" action="/portal/key/rotate" class="row" data-confirm="Replace your key? The old one stops at once.">
            <Csrf token={c.var.csrf} />
            <input type="hidden" name="replaces" value={keyId ?? ""} />
            <button class="secondary">Replace my key</button>
          </form>
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };
  app.get("/portal/key", (c) => page(c, null));
  app.post("/portal/key/rotate", (c) => page(c, ""));
  return app;
}
