import { Hono, type Context } from "hono";
import { Csrf, Layout } from "../ui";
import { Field, FormError, formOf, refusalOf, Select, ShownOnce, text, type Refusal } from "../forms";
import { getProgramPartner, type PartnerRow } from "../../src/db/queries/partners";
import { currentPartnerKeyId } from "../../src/db/queries/keys";
import { PARTNER_STATUSES, type PartnerStatus } from "../../src/db/schema";
import { rotatePartnerKeyOf } from "../../src/services/management/keys";
import { changePartner } from "../../src/services/management/partners";
import { notFoundPage } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;
type Ctx = NonNullable<Awaited<ReturnType<typeof programPage>>>;

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const COUPON_RE = /^[A-Za-z0-9_-]{2,64}$/;

/** The checks of the API's partner fields, as a sentence for a form; null when they pass. */
export function partnerFieldsRefusal(f: { name: string; email: string; coupon: string }): Refusal | null {
  if (!f.name || f.name.length > 200) return { text: "Nothing was saved: a partner needs a name (up to 200 characters).", status: 400 };
  if (!EMAIL_RE.test(f.email) || f.email.length > 320) return { text: `Nothing was saved: "${f.email}" is not an email address.`, status: 400 };
  if (f.coupon && !COUPON_RE.test(f.coupon)) return { text: "Nothing was saved: a coupon is 2–64 letters, digits, _ or -.", status: 400 };
  return null;
}

/** Changing a partner's profile and status, and giving it a new key (shown once). */
export function partnerEditRoutes() {
  const app = new Hono<DashEnv>();

  const partnerOf = (c: C, ctx: Ctx) => getProgramPartner(ctx.db, ctx.program.id, c.req.param("ptn") ?? "");

  const editPage = async (c: C, ctx: Ctx, partner: PartnerRow, values: Record<string, string>, refusal: Refusal | null, newKey: string | null = null) => {
    const self = `${ctx.base}/partners/${partner.id}`;
    const keyId = await currentPartnerKeyId(ctx.db, partner.id);
    return c.html(
      <Layout {...ctx.frame("partners", `Edit ${partner.name}`)}>
        <div class="head"><div><p class="small muted"><a href={`${ctx.base}/partners`}>Partners</a> / <a href={self}>{partner.name}</a> /</p><h1>Edit {partner.name}</h1></div></div>
        {newKey ? (
          <ShownOnce title={`New key for ${partner.name}`} keys={[{ id: "new-partner-key", label: "Partner key", value: newKey }]}>
            <p class="small muted">The old key stopped working now. Send this one to {partner.email}; it opens the partner API and the portal.</p>
          </ShownOnce>
        ) : null}
        <section class="panel">
          <h2>Profile</h2>
          <FormError refusal={refusal} />
          <form method="post" action={`${self}/edit`} class="form">
            <Csrf token={c.var.csrf} />
            <Field id="pe-name" name="name" label="Name" value={values["name"]} required maxlength={200} />
            <Field id="pe-email" name="email" label="Email" type="email" value={values["email"]} required maxlength={320} />
            <Field id="pe-coupon" name="coupon" label="Coupon (optional)" value={values["coupon"]} maxlength={64} hint="Empty removes it. Orders with this code are credited to the partner." />
            <Select id="pe-status" name="status" label="Status" value={values["status"]} options={PARTNER_STATUSES.map((s): [string, string] => [s, s])} />
            <button>Save partner</button>
          </form>
        </section>
        <section class="panel">
          <h2>Partner key</h2>
          <p class="small muted">A new key replaces the old one at once (for example when it leaked). The partner stays signed in to the portal.</p>
          <form method="post" action={`${self}/rotate-key`} class="row" data-confirm={`Give ${partner.name} a new key? The old one stops at once.`}>
            <Csrf token={c.var.csrf} />
            <input type="hidden" name="replaces" value={keyId ?? ""} />
            <button class="secondary">Rotate {partner.name}'s key</button>
          </form>
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };
  const current = (p: PartnerRow) => ({ name: p.name, email: p.email, coupon: p.coupon ?? "", status: p.status });

  app.get("/app/p/:pid/partners/:ptn/edit", async (c) => {
    const ctx = await programPage(c);
    const partner = ctx && (await partnerOf(c, ctx));
    if (!ctx || !partner) return notFoundPage(c, "app");
    return editPage(c, ctx, partner, current(partner), null);
  });

  app.post("/app/p/:pid/partners/:ptn/edit", async (c) => {
    const ctx = await programPage(c);
    const partner = ctx && (await partnerOf(c, ctx));
    if (!ctx || !partner) return notFoundPage(c, "app");
    const f = await formOf(c);
    const fields = { name: text(f, "name"), email: text(f, "email"), coupon: text(f, "coupon") };
    const status = (PARTNER_STATUSES as readonly string[]).includes(f["status"] ?? "") ? (f["status"] as PartnerStatus) : partner.status;
    const bad = partnerFieldsRefusal(fields);
    if (bad) return editPage(c, ctx, partner, f, bad);
    const outcome = await changePartner(ctx.db, ctx.program, partner, { ...fields, coupon: fields.coupon || null, status }, ctx.actor, ctx.now);
    const refused = refusalOf(outcome);
    if (refused) return editPage(c, ctx, partner, f, refused);
    setFlash(c, "app", "ok", `${fields.name} was saved.`);
    return c.redirect(`${ctx.base}/partners/${partner.id}`, 303);
  });

  app.post("/app/p/:pid/partners/:ptn/rotate-key", async (c) => {
    const ctx = await programPage(c);
    const partner = ctx && (await partnerOf(c, ctx));
    if (!ctx || !partner) return notFoundPage(c, "app");
    // the new key is this answer (not a redirect): a reload sends the form again, and must not
    // replace the key just shown, so the form names the key it replaces
    const replaces = text(await formOf(c), "replaces");
    if (replaces && replaces !== (await currentPartnerKeyId(ctx.db, partner.id))) {
      return editPage(c, ctx, partner, current(partner), { text: `Nothing was changed: ${partner.name}'s key was already replaced (the form was sent twice, e.g. by reloading the page). The key shown then is the current one.`, status: 409 });
    }
    const key = await rotatePartnerKeyOf(ctx.db, ctx.program, partner, ctx.now, ctx.actor);
    return editPage(c, ctx, partner, current(partner), null, key);
  });
  return app;
}
