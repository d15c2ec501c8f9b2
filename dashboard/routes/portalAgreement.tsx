import { Hono, type MiddlewareHandler } from "hono";
import { Csrf, Layout } from "../ui";
import { acceptanceOf, currentAgreement } from "../../src/db/queries/agreements";
import { getPartner } from "../../src/db/queries/partners";
import { acceptanceHash, mustAccept } from "../../src/domain/agreements";
import { acceptAgreement } from "../../src/services/lifecycle/agreements";
import { notFoundPage, pageHeaders } from "./common";
import { setFlash, type DashEnv } from "./session";

/**
 * The portal asks for acceptance of the program's current agreement before anything else:
 * every portal page answers the agreement instead until the partner accepts it (sign-out and
 * the acceptance itself excepted). Runs after the session gate.
 */
export function agreementGate(): MiddlewareHandler<DashEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (path === "/portal/logout" || path === "/portal/agreement") return next();
    const { db } = c.var.deps;
    const partnerId = c.var.session.partnerId ?? "";
    const partner = await getPartner(db, partnerId);
    const current = partner && (await currentAgreement(db, partner.programId));
    if (!partner || !current) return next();
    const accepted = await acceptanceOf(db, current.id, partner.id);
    if (!mustAccept(current, accepted?.version ?? null)) return next();
    pageHeaders(c);
    return c.html(
      <Layout title="Partner agreement" area="portal" nav={[]} current="" csrf={c.var.csrf} who={partner.name}>
        <section class="panel">
          <h1>{current.title}</h1>
          <p class="small muted">Version {current.version} · please read and accept it to continue to your portal.</p>
          <div class="agreement">{current.body.split(/\n\s*\n/).map((para) => <p>{para}</p>)}</div>
          <form method="post" action="/portal/agreement" class="row">
            <Csrf token={c.var.csrf} />
            <input type="hidden" name="version" value={String(current.version)} />
            <button>I accept version {current.version}</button>
          </form>
        </section>
      </Layout>,
    );
  };
}

export function portalAgreementRoutes() {
  const app = new Hono<DashEnv>();
  app.post("/portal/agreement", async (c) => {
    const { db, secret, now, readClickFacts } = c.var.deps;
    const partner = await getPartner(db, c.var.session.partnerId ?? "");
    if (!partner) return notFoundPage(c, "portal");
    const body = await c.req.parseBody();
    const version = Number(body["version"]);
    const outcome = await acceptAgreement(db, partner, version, acceptanceHash(secret, readClickFacts(c).ip, c.req.header("user-agent") ?? ""), now());
    setFlash(c, "portal", outcome.kind === "ok" ? "ok" : "err", outcome.kind === "ok" ? `Thank you: you accepted version ${version}.` : "A newer version was published meanwhile: please read it and accept it.");
    return c.redirect("/portal", 303);
  });
  return app;
}
