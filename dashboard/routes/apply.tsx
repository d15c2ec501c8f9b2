import { Hono, type Context } from "hono";
import { ApplyOutcomePage, ApplyPage, HONEYPOT, type ApplyValues } from "../pages/apply";
import { getProgramByHandle, type ProgramRow } from "../../src/db/queries/programs";
import { isCountryCode } from "../../src/domain/countries";
import { HANDLE_PATTERN } from "../../src/domain/applications";
import type { AppEnv } from "../../src/http/deps";
import { clientKeyOf, takeLimit } from "../../src/http/middleware/rateLimit";
import { retryAfterHeader } from "../../src/http/errors";
import { submitApplication } from "../../src/services/lifecycle/applications";
import { checkPreSessionToken, preSessionToken, sameOrigin } from "./session";

type C = Context<AppEnv>;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function noStore(c: C) {
  c.header("cache-control", "no-store");
}

async function openProgram(c: C): Promise<ProgramRow | null> {
  const handle = c.req.param("handle") ?? "";
  if (!HANDLE_PATTERN.test(handle)) return null;
  const program = await getProgramByHandle(c.var.deps.db, handle);
  return program && program.applications.enabled ? program : null;
}

const closed = (c: C) => c.html(<ApplyOutcomePage kind="err" title="No such application form" message="This program does not exist or takes no applications right now." />, 404);

/** Why a submitted form cannot be taken, or null; fills `values` with what was sent (to show it again). */
function formProblem(program: ProgramRow, body: Record<string, unknown>, values: ApplyValues): string | null {
  const text = (k: string) => (typeof body[k] === "string" ? (body[k] as string).trim() : "");
  values.name = text("name"); values.email = text("email"); values.website = text("website"); values.country = text("country").toUpperCase();
  values.answers = Object.fromEntries(program.applications.questions.map((q) => [q.id, text(`q_${q.id}`)]));
  if (!values.name || values.name.length > 200) return "Please give your name (up to 200 characters).";
  if (!EMAIL.test(values.email) || values.email.length > 320) return `"${values.email}" is not an email address.`;
  if (values.website && (!/^https?:\/\/[^\s]+$/i.test(values.website) || values.website.length > 2048)) return "The website must be an address starting with http:// or https://.";
  if (values.country && !isCountryCode(values.country)) return `"${values.country}" is not a two-letter country code (DE, FR, US…).`;
  return null;
}

/**
 * The public application form of a program, `/apply/:handle`: no key, no JavaScript needed,
 * same-origin posts only (Origin check and a signed form token), a honeypot, and the per-address
 * limit of the contract (10 an hour, counted under a keyed hash of the address) with a 429 page.
 */
export function applyRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/apply/:handle", async (c) => {
    noStore(c);
    const program = await openProgram(c);
    if (!program) return closed(c);
    const source = (c.req.query("source") ?? "").slice(0, 64);
    const ref = (c.req.query("ref") ?? "").slice(0, 100);
    return c.html(<ApplyPage program={program.name} handle={program.handle} csrf={preSessionToken(c)} questions={program.applications.questions} source={source} ref={ref} />);
  });

  app.post("/apply/:handle", async (c) => {
    noStore(c);
    const program = await openProgram(c);
    if (!program) return closed(c);
    const body = await c.req.parseBody();
    if (!sameOrigin(c) || !checkPreSessionToken(c, body["_csrf"])) {
      return c.html(<ApplyOutcomePage kind="err" title="Please try again" message="This form expired or was sent from another site. Open the application page again and send it from there." />, 403);
    }
    const limit = await takeLimit(c, "applicationForm", clientKeyOf(c));
    if (!limit.ok) {
      c.header("retry-after", retryAfterHeader(limit.retryAfterSeconds));
      return c.html(<ApplyOutcomePage kind="err" title="Too many applications" message={`Too many applications were sent from your address. Please try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`} />, 429);
    }
    const thanks = () => c.html(<ApplyOutcomePage kind="ok" title="Thank you!" message={`Your application to ${program.name} was received. You will hear from us soon.`} />, 200);
    // a bot filled in the hidden field: it gets the thank-you page, and nothing is stored
    if (typeof body[HONEYPOT] === "string" && body[HONEYPOT] !== "") return thanks();
    const values: ApplyValues = {};
    const again = (error: string, status: 400 | 409 = 400) =>
      c.html(<ApplyPage program={program.name} handle={program.handle} csrf={preSessionToken(c)} questions={program.applications.questions} values={values} error={error} source={String(body["source"] ?? "")} ref={String(body["ref"] ?? "")} />, status);
    const problem = formProblem(program, body, values);
    if (problem) return again(problem);
    const source = typeof body["source"] === "string" ? body["source"].slice(0, 64) : undefined;
    const ref = typeof body["ref"] === "string" && body["ref"] ? body["ref"].slice(0, 100) : undefined;
    const outcome = await submitApplication(c.var.deps.db, program, { name: values.name!, email: values.email!, website: values.website || undefined, country: values.country || undefined, answers: values.answers, source: source || undefined, referredBy: ref }, c.var.deps.now(), c.var.deps.publicUrl);
    if (outcome.kind === "invalid") {
      // a stale referral link names nobody: apply without it rather than refuse the applicant
      if (outcome.path === "referredBy") {
        const retry = await submitApplication(c.var.deps.db, program, { name: values.name!, email: values.email!, website: values.website || undefined, country: values.country || undefined, answers: values.answers, source: source || undefined }, c.var.deps.now(), c.var.deps.publicUrl);
        if (retry.kind === "ok") return retry.value.application.status === "approved" ? welcome(c, program) : thanks();
        if (retry.kind === "conflict") return refused(c, program);
        return again(retry.kind === "invalid" ? retry.message : "This form cannot be sent right now.");
      }
      return again(outcome.message);
    }
    if (outcome.kind === "conflict") return refused(c, program);
    if (outcome.kind === "not_found") return closed(c);
    return outcome.value.application.status === "approved" ? welcome(c, program) : thanks();
  });
  return app;
}

const welcome = (c: C, program: ProgramRow) =>
  c.html(<ApplyOutcomePage kind="ok" title="Welcome aboard!" message={`Your application to ${program.name} was approved. Your program manager will send you a sign-in link for the partner portal.`} />, 200);

const refused = (c: C, program: ProgramRow) =>
  c.html(<ApplyOutcomePage kind="err" title="Already applied" message={`This email already has an application or a partner account with ${program.name}. If you lost your access, ask your program manager for a new sign-in link.`} />, 409);
