import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { findKeyScope } from "../../db/queries/keys";
import { getProgram } from "../../db/queries/programs";
import { recordConversion } from "../../services/tracking/conversions";
import type { AppEnv } from "../deps";
import { clientKeyOf, takeLimit } from "../middleware/rateLimit";
import { toConversionInput } from "./conversionInput";
import { logError } from "../../log";

/** 1×1 transparent GIF. */
const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (ch) => ch.charCodeAt(0));

function gif(): Response {
  return new Response(GIF, { status: 200, headers: { "content-type": "image/gif", "cache-control": "no-store", "content-length": String(GIF.length) } });
}

/**
 * `GET /px.gif`: always the GIF, whatever happens (a broken image on a thank-you page helps no
 * one). Anyone who reads the page can fire it, so its commissions start in `hold`.
 */
export function pixelHandler() {
  return async (c: Context<AppEnv>): Promise<Response> => {
    // HEAD (link checkers, prefetchers) gets the image but records nothing.
    if (c.req.method === "HEAD") return gif();
    try {
      const { deps } = c.var;
      const q = c.req.query();
      const event = q.event === "lead" ? "lead" : q.event === undefined || q.event === "sale" ? "sale" : null;
      if (!q.pk || !q.order || q.order.length > 200 || !event) return gif();
      const scope = await findKeyScope(deps.db, q.pk, deps.now());
      if (scope?.kind !== "public" || !scope.programId) return gif();
      const program = await getProgram(deps.db, scope.programId);
      if (!program) return gif();
      const clickId = q.click || getCookie(c, "afx_click");
      const input = toConversionInput(
        { orderId: q.order, event, amount: q.amount, currency: q.currency, clickId, customerId: q.customer, coupon: q.coupon, customerEmail: q.email },
        program, "pixel", deps.now(),
      );
      // over a limit the pixel records nothing (and still answers its GIF)
      if (!(await takeLimit(c, "pixelHold", program.id, 0)).ok) return gif();
      if (!(await takeLimit(c, "pixel", `${clientKeyOf(c)}:${program.id}`)).ok) return gif();
      const outcome = await recordConversion(deps, program, input);
      if (outcome.kind === "created" && outcome.commission?.status === "hold") await takeLimit(c, "pixelHold", program.id);
    } catch (err) {
      // Invalid input is the sender's problem; anything else is ours and worth a log line.
      if (!(err instanceof Error && "code" in err && (err as { code: string }).code === "validation_failed")) logError("pixel failed", err);
    }
    return gif();
  };
}
