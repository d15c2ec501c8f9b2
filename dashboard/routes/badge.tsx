import { Hono, type Context } from "hono";
import { ApplyOutcomePage } from "../pages/apply";
import { getPartner } from "../../src/db/queries/partners";
import { getProgram, getTier } from "../../src/db/queries/programs";
import { badgePartnerId, badgeSvg } from "../../src/domain/badge";
import type { AppEnv } from "../../src/http/deps";

/** A badge's partner, program and tier, or null for an unknown token. */
async function badgeFacts(c: Context<AppEnv>, token: string) {
  const { db, secret } = c.var.deps;
  const id = badgePartnerId(secret, token);
  const partner = id ? await getPartner(db, id) : null;
  const program = partner && (await getProgram(db, partner.programId));
  if (!partner || !program) return null;
  const tier = await getTier(db, program.id, partner.tierId);
  return { partner, program, tier, active: partner.status === "approved" };
}

/** `/badge/<token>.svg` (embeddable, cacheable for an hour) and `/badge/<token>` (the verification page). */
export function badgeRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/badge/:file", async (c) => {
    const file = c.req.param("file");
    const svg = file.endsWith(".svg");
    const facts = await badgeFacts(c, svg ? file.slice(0, -4) : file);
    if (!facts) return svg ? c.text("unknown badge", 404) : c.html(<ApplyOutcomePage kind="err" title="Unknown badge" message="This badge was not issued by this server." />, 404);
    const { partner, program, tier, active } = facts;
    if (svg) {
      return c.body(badgeSvg(program.name, active ? `partner · ${tier?.name ?? "partner"}` : "not an active partner"), 200, {
        "content-type": "image/svg+xml; charset=utf-8", "cache-control": "public, max-age=3600",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'", "x-content-type-options": "nosniff",
      });
    }
    c.header("cache-control", "public, max-age=300");
    const since = new Date(partner.createdAt).toISOString().slice(0, 10);
    return c.html(active
      ? <ApplyOutcomePage kind="ok" title={`${partner.name} is a partner of ${program.name}`} message={`An active partner right now, in the ${tier?.name ?? "entry"} tier, since ${since}.`} />
      : <ApplyOutcomePage kind="err" title={`${partner.name} is not an active partner of ${program.name}`} message="This partner is not an active partner of the program right now." />);
  });
  return app;
}
