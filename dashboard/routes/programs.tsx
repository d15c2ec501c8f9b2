import { Hono, type Context } from "hono";
import { Csrf, Layout } from "../ui";
import { Field, FormError, formOf, refusalOf, Select, ShownOnce, text, whole, type Refusal } from "../forms";
import { listPrograms } from "../../src/db/queries/programs";
import { COOKIE_DAYS, HOLD_DAYS } from "../../src/domain/programSettings";
import { createProgram } from "../../src/services/programs/createProgram";
import { pageHeaders } from "./common";
import { sessionActor, type DashEnv } from "./session";

type C = Context<DashEnv>;

const LABELS: Record<string, string> = {
  name: "the name", currency: "the currency", cookieDays: "the cookie window", holdDays: "the refund window", attribution: "the attribution",
  clickParam: "the click parameter", allowedDomains: "allowed domains:", minPayout: "the minimum payout",
};

const DEFAULTS = { name: "", currency: "USD", cookieDays: "30", attribution: "last_click", holdDays: "30", allowedDomains: "", clickParam: "afx_click", minPayout: "50.00" };

async function frame(c: C, title: string) {
  const programs = (await listPrograms(c.var.deps.db, c.var.session.vendorId, { limit: 100, cursor: null })).data;
  pageHeaders(c);
  return { title, area: "app" as const, nav: [], current: "", csrf: c.var.csrf, programs: programs.map((p) => ({ id: p.id, name: p.name })) };
}

function NewProgramForm({ csrf, values, refusal }: { csrf: string; values: Record<string, string>; refusal: Refusal | null }) {
  const v = (k: keyof typeof DEFAULTS) => values[k] ?? DEFAULTS[k];
  return (
    <section class="panel">
      <FormError refusal={refusal} />
      <form method="post" action="/app/programs" class="form top">
        <Csrf token={csrf} />
        <Field id="np-name" name="name" label="Program name" value={v("name")} required maxlength={200} />
        <Field id="np-currency" name="currency" label="Currency" value={v("currency")} required maxlength={3} hint="ISO code (USD, EUR…); fixed once created." />
        <Field id="np-cookie" name="cookieDays" label="Cookie window (days)" type="number" value={v("cookieDays")} required min={COOKIE_DAYS.min} max={COOKIE_DAYS.max} hint="How long after a click a conversion still counts." />
        <Select id="np-model" name="attribution" label="Attribution" value={v("attribution")} options={[["last_click", "Last click wins"], ["first_click", "First click wins"]]} />
        <Field id="np-hold" name="holdDays" label="Refund window (days)" type="number" value={v("holdDays")} required min={HOLD_DAYS.min} max={HOLD_DAYS.max} hint="A commission waits this long before it can be approved." />
        <Field id="np-min" name="minPayout" label="Minimum payout" value={v("minPayout")} required inputmode="decimal" />
        <Field id="np-param" name="clickParam" label="Click parameter" value={v("clickParam")} required maxlength={64} hint="Added to landing URLs; fixed once created." />
        <div class="field full">
          <label for="np-domains">Allowed domains</label>
          <textarea id="np-domains" name="allowedDomains" rows={3} required aria-describedby="np-domains-h">{v("allowedDomains")}</textarea>
          <span class="hint" id="np-domains-h">Where links may send visitors. One per line; <span class="mono">.example.com</span> allows every subdomain.</span>
        </div>
        <div class="full"><button>Create program</button></div>
      </form>
    </section>
  );
}

/** Creating a program from the dashboard, through the same service as `POST /api/v1/programs`. */
export function programRoutes() {
  const app = new Hono<DashEnv>();
  const page = async (c: C, values: Record<string, string>, refusal: Refusal | null) =>
    c.html(
      <Layout {...(await frame(c, "New program"))}>
        <div class="head"><h1>New program</h1></div>
        <p class="muted">A program has its own partners, links, rules and keys. You get its postback and public keys on the next page.</p>
        <NewProgramForm csrf={c.var.csrf} values={values} refusal={refusal} />
      </Layout>,
      refusal?.status ?? 200,
    );

  app.get("/app/programs/new", (c) => page(c, {}, null));

  app.post("/app/programs", async (c) => {
    const f = await formOf(c);
    const outcome = await createProgram(c.var.deps.db, c.var.session.vendorId, {
      name: text(f, "name"), currency: text(f, "currency").toUpperCase(), cookieDays: whole(f, "cookieDays"), holdDays: whole(f, "holdDays"),
      attribution: text(f, "attribution") === "first_click" ? "first_click" : "last_click", clickParam: text(f, "clickParam"),
      allowedDomains: text(f, "allowedDomains").split(/[\s,]+/).filter(Boolean), minPayout: text(f, "minPayout"),
    }, c.var.deps.now(), sessionActor(c.var.session));
    const refused = refusalOf(outcome, LABELS);
    if (refused || outcome.kind !== "ok") return page(c, f, refused);
    const { program, postbackKey, publicKey } = outcome.value;
    const base = `/app/p/${program.id}`;
    // the keys are in this answer only: the page is never stored and never shown again
    return c.html(
      <Layout {...(await frame(c, `${program.name} created`))} programId={program.id}>
        <div class="head"><h1>{program.name} is ready</h1></div>
        <ShownOnce title="The program's keys" keys={[
          { id: "new-postback-key", label: "Postback key (secret: for your server's conversion calls)", value: postbackKey },
          { id: "new-public-key", label: "Public key (for the snippet in your pages; not secret)", value: publicKey },
        ]}>
          <p class="small muted">Lost one? Rotate it on the program's <a href={`${base}/keys`}>Keys</a> page.</p>
        </ShownOnce>
        <section class="panel">
          <h2>Next steps</h2>
          <ol>
            <li><a href={`${base}/rules`}>Add a commission rule</a>: without one, sales earn nothing.</li>
            <li><a href={`${base}/partners`}>Add a partner</a> and create their tracked link.</li>
            <li><a href={`${base}/settings`}>Install the snippet or a postback</a> to report sales.</li>
          </ol>
          <p><a class="btn" href={base}>Go to the program</a></p>
        </section>
      </Layout>,
      200,
    );
  });
  return app;
}
