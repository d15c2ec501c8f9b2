import { Hono } from "hono";
import { Layout } from "../ui";
import { listPrograms } from "../../src/db/queries/programs";
import { auditRoutes } from "./audit";
import { commissionRoutes } from "./commissions";
import { pageHeaders } from "./common";
import { conversionRoutes } from "./conversions";
import { integrationRoutes } from "./integrations";
import { linkRoutes } from "./links";
import { overviewRoutes } from "./overview";
import { partnerRoutes } from "./partners";
import { lifecycleRoutes } from "./lifecycle";
import { announcementRoutes } from "./announcements";
import { payoutRoutes } from "./payouts";
import { sessionGate, type DashEnv } from "./session";
import { outboxRoutes } from "./outbox";
import { settingsRoutes } from "./settings";
import { keyRoutes } from "./keys";
import { linkEditRoutes } from "./linkEdit";
import { partnerEditRoutes } from "./partnerEdit";
import { programRoutes } from "./programs";
import { ruleRoutes } from "./rules";
import { tierRoutes } from "./tiers";
import { dealRoutes } from "./deals";
import { leadRoutes } from "./leads";
import { webhookRoutes } from "./webhooks";

/** The manager dashboard (`/app`): behind a vendor session, one route file per area of a program. */
export function managerRoutes() {
  const app = new Hono<DashEnv>();
  app.use("/app", sessionGate("app"));
  app.use("/app/*", sessionGate("app"));

  app.get("/app", async (c) => {
    const { db } = c.var.deps;
    const programs = (await listPrograms(db, c.var.session.vendorId, { limit: 100, cursor: null })).data;
    const wanted = c.req.query("program");
    const target = programs.find((p) => p.id === wanted) ?? programs[0];
    if (target) return c.redirect(`/app/p/${target.id}`, 303);
    pageHeaders(c);
    return c.html(
      <Layout title="Welcome" area="app" nav={[]} current="" csrf={c.var.csrf}>
        <div class="panel empty">
          <strong>You have no program yet.</strong>
          <p><a class="btn" href="/app/programs/new">Create a program</a></p>
          <p class="small">Or with the API: <code>POST /api/v1/programs</code> with your vendor key (see <a href="/api/reference">the API reference</a>), or run <code>npm run afflux -- demo</code> for a demo account.</p>
        </div>
      </Layout>,
    );
  });

  app.route("/", programRoutes());
  app.route("/", overviewRoutes());
  app.route("/", lifecycleRoutes());
  app.route("/", announcementRoutes());
  app.route("/", partnerRoutes());
  app.route("/", linkRoutes());
  app.route("/", commissionRoutes());
  app.route("/", conversionRoutes());
  app.route("/", payoutRoutes());
  app.route("/", outboxRoutes());
  app.route("/", settingsRoutes());
  app.route("/", integrationRoutes());
  app.route("/", auditRoutes());
  app.route("/", ruleRoutes());
  app.route("/", tierRoutes());
  app.route("/", keyRoutes());
  app.route("/", partnerEditRoutes());
  app.route("/", linkEditRoutes());
  app.route("/", dealRoutes());
  app.route("/", leadRoutes());
  app.route("/", webhookRoutes());
  return app;
}
