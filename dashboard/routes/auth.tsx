import { Hono, type Context } from "hono";
import { SignInLinkPage, SignInPage } from "../pages/signin";
import { hashApiKey } from "../../src/domain/ids";
import { findKeyScope } from "../../src/db/queries/keys";
import { consumeSignInLink } from "../../src/db/queries/sessions";
import type { SessionArea } from "../../src/db/schema";
import type { AppEnv } from "../../src/http/deps";
import { failedAuthentication } from "../../src/http/middleware/rateLimit";
import { pageHeaders } from "./common";
import { checkPreSessionToken, currentSession, endSession, preSessionToken, sameOrigin, sessionGate, startSession, type DashEnv } from "./session";

const WANTED = { app: "vendor", portal: "partner" } as const;

/** Sign-in with a key, sign-out, and (portal) one-time sign-in links. */
export function authRoutes(area: SessionArea) {
  const app = new Hono<AppEnv>();

  const form = async (c: Context<AppEnv>, error: string | null, status: 200 | 401 | 403 = 200) => {
    pageHeaders(c);
    return c.html(<SignInPage area={area} csrf={preSessionToken(c)} error={error} />, status);
  };

  app.get(`/${area}/login`, async (c) => {
    if (await currentSession(c, area)) return c.redirect(`/${area}`, 303);
    return form(c, null);
  });

  app.post(`/${area}/login`, async (c) => {
    const body = await c.req.parseBody();
    if (!sameOrigin(c) || !checkPreSessionToken(c, body["_csrf"])) return form(c, "This sign-in form expired or came from another site. Try again.", 403);
    const key = typeof body["key"] === "string" ? body["key"].trim() : "";
    const scope = key && key.length <= 100 ? await findKeyScope(c.var.deps.db, key) : null;
    if (!scope) {
      await failedAuthentication(c);
      return form(c, "That key is not valid. Check it and try again.", 401);
    }
    if (scope.kind !== WANTED[area]) {
      const hint = area === "app"
        ? scope.kind === "partner" ? "This is a partner key: sign in at the partner portal (/portal)." : "Use the vendor admin key (afx_sk_…), not a program key."
        : scope.kind === "vendor" ? "This is a vendor admin key: sign in at the manager dashboard (/app)." : "Use your partner key (afx_pk_…).";
      return form(c, hint, 403);
    }
    await startSession(c, area, { vendorId: scope.vendorId, programId: scope.programId, partnerId: scope.partnerId, keyId: scope.keyId });
    return c.redirect(`/${area}`, 303);
  });

  const gated = new Hono<DashEnv>();
  gated.use(`/${area}/logout`, sessionGate(area));
  gated.post(`/${area}/logout`, async (c) => {
    await endSession(c, area);
    return c.redirect(`/${area}/login`, 303);
  });
  app.route("/", gated as unknown as Hono<AppEnv>);

  if (area === "portal") {
    // GET only shows a button: link scanners and prefetchers must not use up the link.
    app.get("/portal/signin", (c) => {
      pageHeaders(c);
      // same-origin (from the securityHeaders middleware), not no-referrer: with no-referrer Chrome posts the form with
      // `Origin: null`, which the cross-site check must refuse; the token never leaves this origin.
      const token = c.req.query("token") ?? "";
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return c.html(<SignInLinkPage csrf="" token="" error="This sign-in link is malformed. Ask your program manager for a new one." />, 400);
      return c.html(<SignInLinkPage csrf={preSessionToken(c)} token={token} />);
    });
    app.post("/portal/signin", async (c) => {
      pageHeaders(c);
      const body = await c.req.parseBody();
      if (!sameOrigin(c) || !checkPreSessionToken(c, body["_csrf"])) return c.html(<SignInLinkPage csrf="" token="" error="This form came from another site or expired. Open your sign-in link again." />, 403);
      const token = typeof body["token"] === "string" ? body["token"] : "";
      const link = /^[A-Za-z0-9_-]{43}$/.test(token) ? await consumeSignInLink(c.var.deps.db, hashApiKey(token), c.var.deps.now()) : null;
      if (!link) await failedAuthentication(c);
      if (!link) return c.html(<SignInLinkPage csrf="" token="" error="This sign-in link was already used or has expired. Ask your program manager for a new one." />, 410);
      await startSession(c, "portal", { vendorId: link.vendorId, programId: link.programId, partnerId: link.partnerId, keyId: null });
      return c.redirect("/portal", 303);
    });
  }
  return app;
}
