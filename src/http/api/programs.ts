import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { checkSettingsChange, COOKIE_DAYS, DEAL_PROTECTION_DAYS, HOLD_DAYS, LEAD_SLA_HOURS, MIN_CONVERSION_SECONDS, type SettingsCheck } from "../../domain/programSettings";
import { insertVendor } from "../../db/queries/keys";
import { getVendorProgram, listPrograms, type updateProgram } from "../../db/queries/programs";
import { createRule } from "../../services/management/rules";
import { changeProgramSettings } from "../../services/management/programs";
import { createProgram } from "../../services/programs/createProgram";
import { unwrap } from "./outcome";
import type { AppEnv } from "../deps";
import { ApiError, invalid, notFound } from "../errors";
import { checkApplicationSettings, HANDLE_PATTERN } from "../../domain/applications";
import { DEFAULT_APPLICATION_SETTINGS, type ApplicationSettings } from "../../db/schema";
import { isUniqueViolationOf } from "../../db/errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { programJson, ruleJson } from "./present";
import { createRouter } from "./router";
import { conflictResponse, Cursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, MoneyInput, Program, Rule, DurationMonths } from "./schemas";

const Handle = z.string().regex(HANDLE_PATTERN, "3–40 characters of a–z, 0–9 and -").openapi({ example: "acme-shop" });
export const ApplicationSettingsInput = z
  .object({
    enabled: z.boolean().optional(),
    autoApprove: z.array(z.object({ field: z.enum(["country", "emailDomain"]), op: z.enum(["is", "is_not"]), values: z.array(z.string().min(1).max(253)).min(1).max(200) })).max(20).optional()
      .openapi({ description: "all rules must hold for an application to be approved at once; none means manual review" }),
    questions: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), label: z.string().min(1).max(200), required: z.boolean().default(false) })).max(20).optional(),
  })
  .openapi("ApplicationSettingsInput");

const CreateProgram = z
  .object({
    name: z.string().min(1).max(200),
    currency: z.string().default("USD"),
    cookieDays: z.number().int().min(COOKIE_DAYS.min).max(COOKIE_DAYS.max).default(30),
    attribution: z.enum(["last_click", "first_click"]).default("last_click"),
    holdDays: z.number().int().min(HOLD_DAYS.min).max(HOLD_DAYS.max).default(30),
    allowedDomains: z.array(z.string().max(253)).min(1).max(100),
    clickParam: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default("afx_click"),
    minPayout: MoneyInput.default("50"),
    minConversionSeconds: z.number().int().min(MIN_CONVERSION_SECONDS.min).max(MIN_CONVERSION_SECONDS.max).default(10)
      .openapi({ description: "a conversion sooner than this after its click is flagged click_too_fast and held" }),
    dealProtectionDays: z.number().int().min(DEAL_PROTECTION_DAYS.min).max(DEAL_PROTECTION_DAYS.max).default(90),
    leadSlaHours: z.number().int().min(LEAD_SLA_HOURS.min).max(LEAD_SLA_HOURS.max).default(48),
    handle: Handle.optional().openapi({ description: "unique across the server; default derived from the name" }),
    applications: ApplicationSettingsInput.optional(),
  })
  .openapi("ProgramInput");

const UpdateProgram = z
  .object({
    name: z.string().min(1).max(200).optional(),
    cookieDays: z.number().int().min(COOKIE_DAYS.min).max(COOKIE_DAYS.max).optional(),
    attribution: z.enum(["last_click", "first_click"]).optional(),
    holdDays: z.number().int().min(HOLD_DAYS.min).max(HOLD_DAYS.max).optional(),
    allowedDomains: z.array(z.string().max(253)).min(1).max(100).optional(),
    minPayout: MoneyInput.optional(),
    minConversionSeconds: z.number().int().min(MIN_CONVERSION_SECONDS.min).max(MIN_CONVERSION_SECONDS.max).optional(),
    dealProtectionDays: z.number().int().min(DEAL_PROTECTION_DAYS.min).max(DEAL_PROTECTION_DAYS.max).optional(),
    leadSlaHours: z.number().int().min(LEAD_SLA_HOURS.min).max(LEAD_SLA_HOURS.max).optional(),
    currency: z.string().optional().openapi({ description: "fixed at creation: accepted only when unchanged" }),
    clickParam: z.string().optional().openapi({ description: "fixed at creation: accepted only when unchanged" }),
    handle: Handle.optional().openapi({ description: "unique across the server (409 when taken); the old /apply link stops working" }),
    applications: ApplicationSettingsInput.optional().openapi({ description: "the given fields replace the current ones" }),
  })
  .openapi("ProgramUpdate");

const CreateRule = z
  .object({ event: z.enum(["sale", "lead"]), type: z.enum(["percent", "flat"]), value: MoneyInput, tierId: z.string().optional(), durationMonths: DurationMonths.optional() })
  .openapi("RuleInput");

/** Application settings with the given fields replaced. */
export function mergeApplications(current: ApplicationSettings, change: z.infer<typeof ApplicationSettingsInput> | undefined): ApplicationSettings {
  return { enabled: change?.enabled ?? current.enabled, autoApprove: change?.autoApprove ?? current.autoApprove, questions: change?.questions ?? current.questions };
}

/** The value of a settings check, or the contract's 400 naming the field. */
function checked<T>(result: SettingsCheck<T>): T {
  if (!result.ok) throw invalid(result.field, result.message);
  return result.value;
}

/** The vendor's program or 404 (also for another vendor's program). */
export async function vendorProgram(c: Context<AppEnv>, programId: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const program = await getVendorProgram(c.var.deps.db, caller.vendorId, programId);
  if (!program) throw notFound("program");
  return { caller, program, actor: actorOf(caller) };
}

export function programRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/vendors", tags: ["Operator"], summary: "Create a vendor and its admin key", request: { body: jsonBody(z.object({ name: z.string().min(1).max(200) })) }, responses: { 201: jsonResponse(z.object({ id: z.string(), name: z.string(), apiKey: z.string() }), "the vendor and its key (shown once)"), ...errorResponses } }),
    async (c) => {
      await requireCaller(c, ["operator"]);
      return c.json(await insertVendor(c.var.deps.db, c.req.valid("json").name, c.var.deps.now()), 201);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/programs", tags: ["Programs"], summary: "Create a program", request: { body: jsonBody(CreateProgram) }, responses: { 201: jsonResponse(Program, "the program with its keys (shown once)"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const body = c.req.valid("json");
      const applications = checked(checkApplicationSettings(mergeApplications(DEFAULT_APPLICATION_SETTINGS, body.applications)));
      let created;
      try {
        created = unwrap(await createProgram(c.var.deps.db, caller.vendorId, { ...body, applications }, c.var.deps.now(), actorOf(caller)));
      } catch (err) {
        if (isUniqueViolationOf(err, "handle")) throw new ApiError("conflict", `the handle "${body.handle}" is taken`);
        throw err;
      }
      return c.json({ ...programJson(created.program), entryTierId: created.entryTierId, postbackKey: created.postbackKey, publicKey: created.publicKey }, 201);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs", tags: ["Programs"], summary: "List programs", request: { query: Cursor }, responses: { 200: jsonResponse(listOf(Program), "programs, newest first"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const q = c.req.valid("query");
      const page = await listPrograms(c.var.deps.db, caller.vendorId, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(programJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}", tags: ["Programs"], summary: "Get a program", request: { params: IdParam }, responses: { 200: jsonResponse(Program, "the program"), ...errorResponses } }),
    async (c) => c.json(programJson((await vendorProgram(c, c.req.valid("param").id)).program), 200),
  );

  app.openapi(
    createRoute({
      method: "patch", path: "/api/v1/programs/{id}", tags: ["Programs"], summary: "Change a program's settings",
      description: "Any subset of name, cookieDays, attribution, holdDays, allowedDomains, minPayout, minConversionSeconds, dealProtectionDays, leadSlaHours, handle and applications. Changes apply to what happens next: clicks and conversions from now on, commissions created from now on (their hold), redirects within seconds. Currency and click parameter are fixed at creation.",
      request: { params: IdParam, body: jsonBody(UpdateProgram) }, responses: { 200: jsonResponse(Program, "the changed program"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const body = c.req.valid("json");
      if (body.currency !== undefined && body.currency !== program.currency) throw invalid("currency", `is fixed at creation (${program.currency}): amounts are stored in its minor units`);
      if (body.clickParam !== undefined && body.clickParam !== program.clickParam) throw invalid("clickParam", `is fixed at creation (${program.clickParam}): links and snippets already use it`);
      const changes: Parameters<typeof updateProgram>[3] = checked(checkSettingsChange(body, program.currency));
      if (body.handle !== undefined) changes.handle = body.handle;
      if (body.applications !== undefined) changes.applications = checked(checkApplicationSettings(mergeApplications(program.applications, body.applications)));
      const { deps } = c.var;
      let updated;
      try {
        updated = unwrap(await changeProgramSettings(deps.db, program, changes, actor, deps.now()));
      } catch (err) {
        if (isUniqueViolationOf(err, "handle")) throw new ApiError("conflict", `the handle "${body.handle}" is taken`);
        throw err;
      }
      // Cached links carry the program's domains and window: re-read them on the next redirect.
      deps.linkCache.clear();
      return c.json(programJson(updated), 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/programs/{id}/rules", tags: ["Programs"], summary: "Add a commission rule", description: "One active rule per event and tier (program-wide is its own tier): a second one is 409.", request: { params: IdParam, body: jsonBody(CreateRule) }, responses: { 201: jsonResponse(Rule, "the rule"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const rule = unwrap(await createRule(c.var.deps.db, program, c.req.valid("json"), c.var.deps.now(), actor));
      return c.json(ruleJson(rule, program.currency), 201);
    },
  );
  return app;
}

