import { Hono, type Context } from "hono";
import { Csrf, DataTable, Empty, Layout, type Column } from "../ui";
import { Field, FormError, formOf, refusalOf, ShownOnce, text, type Refusal } from "../forms";
import { listProgramKeys, listVendorKeys, type ProgramKeyRow, type VendorKeyRow } from "../../src/db/queries/keys";
import { listPrograms } from "../../src/db/queries/programs";
import { MAX_GRACE_HOURS } from "../../src/domain/keys";
import { createVendorKey, revokeAdminKey, rotateProgramKeyOf } from "../../src/services/management/keys";
import { notFoundPage, tableCsv, wantsCsv } from "./common";
import { programPage } from "./programPage";
import { setFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;
type Ctx = NonNullable<Awaited<ReturnType<typeof programPage>>>;
type Shown = { title: string; keys: { id: string; label: string; value: string }[]; note: string };

const KIND_TEXT = { postback: "Postback key (secret)", public: "Public key (snippet)" } as Record<string, string>;

/** The live admin keys a form was shown with (ids, sorted: keys made in the same millisecond have no order). */
const keySet = (keys: VendorKeyRow[]) => keys.map((k) => k.id).sort().join(" ");

/** The newest live key of a kind: the one a rotation replaces. */
const currentKeyId = (keys: ProgramKeyRow[], kind: string) => keys.find((k) => k.kind === kind)?.id;

/** Program keys (rotation with a grace period), the vendor's admin keys, and the vendor's programs. */
export function keyRoutes() {
  const app = new Hono<DashEnv>();

  const page = async (c: C, ctx: Ctx, shown: Shown | null, refusal: Refusal | null, values: Record<string, string> = {}) => {
    const { db, program, base, fmt } = ctx;
    const [programKeys, vendorKeys, programs] = await Promise.all([
      listProgramKeys(db, program.id, ctx.now), listVendorKeys(db, c.var.session.vendorId, ctx.now),
      listPrograms(db, c.var.session.vendorId, { limit: 100, cursor: null }),
    ]);
    const pkCols: Column<ProgramKeyRow>[] = [
      { label: "Key", value: (k) => KIND_TEXT[k.kind] ?? k.kind },
      { label: "Starts with", value: (k) => `${k.prefix}…`, cell: (k) => <span class="mono">{k.prefix}…</span> },
      { label: "Created", value: (k) => new Date(k.createdAt).toISOString(), cell: (k) => fmt.time(k.createdAt) },
      { label: "Works until", value: (k) => (k.expiresAt ? new Date(k.expiresAt).toISOString() : "no end"), cell: (k) => (k.expiresAt ? <span>{fmt.time(k.expiresAt)} <span class="small muted">(replaced)</span></span> : "no end") },
    ];
    const vkCols: Column<VendorKeyRow>[] = [
      { label: "Name", value: (k) => k.name ?? "(first key)" },
      { label: "Starts with", value: (k) => `${k.prefix}…`, cell: (k) => <span class="mono">{k.prefix}…</span> },
      { label: "Created", value: (k) => new Date(k.createdAt).toISOString(), cell: (k) => fmt.time(k.createdAt) },
      {
        label: "Actions", value: () => null, noCsv: true,
        cell: (k) => (
          <form method="post" action={`${base}/keys/vendor/${k.id}/revoke`} class="inline" data-confirm={`Revoke ${k.name ?? k.prefix}? Whatever uses it stops at once.`}>
            <Csrf token={c.var.csrf} />
            <button class="small danger" aria-label={`Revoke admin key ${k.name ?? k.prefix}`}>Revoke</button>
          </form>
        ),
      },
    ];
    if (wantsCsv(c, "program-keys")) return tableCsv(pkCols, programKeys, "program-keys.csv");
    if (wantsCsv(c, "admin-keys")) return tableCsv(vkCols, vendorKeys, "admin-keys.csv");
    const rotateForm = (kind: "postback" | "public", grace: number, hint: string) => (
      <form method="post" action={`${base}/keys/${kind}/rotate`} class="form" data-confirm={`Replace the ${kind} key?`}>
        <Csrf token={c.var.csrf} />
        <input type="hidden" name="replaces" value={currentKeyId(programKeys, kind) ?? ""} />
        <Field id={`grace-${kind}`} name="graceHours" label={`Old ${kind} key keeps working for (hours)`} type="number" value={values[`grace-${kind}`] ?? String(grace)} min={0} max={MAX_GRACE_HOURS} required hint={hint} />
        <button class="secondary">Rotate the {kind} key</button>
      </form>
    );
    return c.html(
      <Layout {...ctx.frame("keys", "Keys")}>
        <div class="head"><h1>Keys</h1></div>
        {shown ? <ShownOnce title={shown.title} keys={shown.keys}><p class="small muted">{shown.note}</p></ShownOnce> : null}
        <FormError refusal={refusal} />
        <section class="panel">
          <h2>{program.name}'s keys</h2>
          <p class="small muted">Keys are stored only as hashes; here are their first characters.</p>
          <DataTable caption="Program keys" columns={pkCols} rows={programKeys} csv={`${base}/keys?format=csv&table=program-keys`} empty={<Empty title="No usable key.">Rotate one below.</Empty>} />
          <div class="grid">
            <div>{rotateForm("postback", 0, "0 stops it at once: use more if your server needs time to switch.")}</div>
            <div>{rotateForm("public", MAX_GRACE_HOURS, "Pages and caches still carry the old one: a week by default.")}</div>
          </div>
        </section>
        <section class="panel">
          <h2>Admin keys</h2>
          <p class="small muted">Vendor admin keys open the API and this dashboard for all your programs. The last one cannot be revoked.</p>
          <DataTable caption="Admin keys" columns={vkCols} rows={vendorKeys} csv={`${base}/keys?format=csv&table=admin-keys`} empty={<Empty title="No admin key.">Create one below.</Empty>} />
          <form method="post" action={`${base}/keys/vendor`} class="form">
            <Csrf token={c.var.csrf} />
            <input type="hidden" name="seen" value={keySet(vendorKeys)} />
            <Field id="vk-name" name="name" label="New key's name" value={values["name"]} required maxlength={100} hint="Who or what will use it, e.g. “billing server”." />
            <button class="secondary">Create an admin key</button>
          </form>
        </section>
        <section class="panel">
          <h2>Programs</h2>
          <ul>{programs.data.map((p) => <li><a href={`/app/p/${p.id}`}>{p.name}</a> <span class="small muted mono">{p.id}</span></li>)}</ul>
          <p><a class="btn secondary" href="/app/programs/new">New program</a></p>
        </section>
      </Layout>,
      refusal?.status ?? 200,
    );
  };

  app.get("/app/p/:pid/keys", async (c) => {
    const ctx = await programPage(c);
    return ctx ? page(c, ctx, null, null) : notFoundPage(c, "app");
  });

  for (const kind of ["postback", "public"] as const) {
    app.post(`/app/p/:pid/keys/${kind}/rotate`, async (c) => {
      const ctx = await programPage(c);
      if (!ctx) return notFoundPage(c, "app");
      const f = await formOf(c);
      const raw = text(f, "graceHours");
      const graceHours = raw === "" ? undefined : Number(raw);
      if (graceHours !== undefined && !(Number.isFinite(graceHours) && graceHours >= 0 && graceHours <= MAX_GRACE_HOURS)) {
        return page(c, ctx, null, { text: `Nothing was changed: the grace period is 0–${MAX_GRACE_HOURS} hours.`, status: 400 }, { [`grace-${kind}`]: raw });
      }
      // The answer (the new key) is a page, not a redirect, so a reload sends the form again: it names
      // the key it replaces, and once that one is replaced a second send changes nothing.
      const replaces = text(f, "replaces");
      if (replaces && replaces !== currentKeyId(await listProgramKeys(ctx.db, ctx.program.id, ctx.now), kind)) {
        return page(c, ctx, null, { text: `Nothing was changed: this ${kind} key was already replaced (the form was sent twice, e.g. by reloading the page). The key shown then is the current one.`, status: 409 });
      }
      const rotated = await rotateProgramKeyOf(ctx.db, ctx.program, kind, graceHours, ctx.now, ctx.actor);
      const until = rotated.expiresOldAt > ctx.now ? `The old ${kind} key keeps working until ${ctx.fmt.time(rotated.expiresOldAt)}.` : `The old ${kind} key stopped working now.`;
      return page(c, ctx, { title: `New ${kind} key`, keys: [{ id: `new-${kind}-key`, label: KIND_TEXT[kind]!, value: rotated.key }], note: until }, null);
    });
  }

  app.post("/app/p/:pid/keys/vendor", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const f = await formOf(c);
    const name = text(f, "name");
    if (!name || name.length > 100) return page(c, ctx, null, { text: "Nothing was created: an admin key needs a name (up to 100 characters).", status: 400 }, f);
    // As with rotations, the answer is a page (the key is shown once), so a reload sends the form
    // again: it names the admin keys it saw, and once a key is created a second send is refused.
    const seen = text(f, "seen");
    if (seen && seen !== keySet(await listVendorKeys(ctx.db, c.var.session.vendorId, ctx.now))) {
      return page(c, ctx, null, { text: "Nothing was created: the admin keys changed since this form was shown (it was sent twice, e.g. by reloading the page). The list below is current.", status: 409 });
    }
    const key = await createVendorKey(ctx.db, c.var.session.vendorId, name, ctx.now, ctx.actor);
    return page(c, ctx, { title: `New admin key “${name}”`, keys: [{ id: "new-admin-key", label: "Admin key", value: key.apiKey }], note: "It works at once, for the API and for signing in here." }, null);
  });

  app.post("/app/p/:pid/keys/vendor/:kid/revoke", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const outcome = await revokeAdminKey(ctx.db, c.var.session.vendorId, c.req.param("kid"), ctx.now, ctx.actor);
    if (outcome.kind === "not_found") return notFoundPage(c, "app");
    const refused = refusalOf(outcome);
    if (refused) return page(c, ctx, null, { ...refused, text: `The key was not revoked: ${refused.text.replace(/^Nothing was saved: /, "")}` });
    setFlash(c, "app", "ok", "The admin key was revoked: it stopped working now.");
    return c.redirect(`${ctx.base}/keys`, 303);
  });
  return app;
}
