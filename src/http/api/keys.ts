import { createRoute, z } from "@hono/zod-openapi";
import { listVendorKeys } from "../../db/queries/keys";
import { MAX_GRACE_HOURS } from "../../domain/keys";
import { createVendorKey, revokeAdminKey, rotateProgramKeyOf } from "../../services/management/keys";
import { actorOf, requireCaller } from "../middleware/auth";
import { unwrap } from "./outcome";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, errorResponses, IdParam, jsonBody, jsonResponse } from "./schemas";

const Rotate = z.object({ graceHours: z.number().min(0).max(MAX_GRACE_HOURS).optional().openapi({ description: "how long the old key keeps working; default 0 (postback), 168 (public)" }) }).openapi("KeyRotation");
const VendorKey = z.object({ id: z.string(), name: z.string().nullable(), prefix: z.string(), createdAt: z.string() }).openapi("VendorKey");

export function keyRoutes() {
  const app = createRouter();

  for (const kind of ["postback", "public"] as const) {
    app.openapi(
      createRoute({
        method: "post", path: `/api/v1/programs/{id}/keys/${kind}/rotate`, tags: ["Keys"], summary: `Replace the program's ${kind} key (shown once)`,
        description: `The old key keeps working for graceHours (default ${kind === "public" ? MAX_GRACE_HOURS : 0}), then stops.`,
        request: { params: IdParam, body: { content: { "application/json": { schema: Rotate } }, required: false } },
        responses: { 200: jsonResponse(z.object({ key: z.string(), oldKeyExpiresAt: z.string() }), "the new key"), ...errorResponses },
      }),
      async (c) => {
        const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
        const graceHours = (c.req.valid("json") as z.infer<typeof Rotate> | undefined)?.graceHours;
        const rotated = await rotateProgramKeyOf(c.var.deps.db, program, kind, graceHours, c.var.deps.now(), actor);
        return c.json({ key: rotated.key, oldKeyExpiresAt: iso(rotated.expiresOldAt) }, 200);
      },
    );
  }

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/keys", tags: ["Keys"], summary: "The vendor's admin keys (never their secrets)", responses: { 200: jsonResponse(z.object({ data: z.array(VendorKey) }), "keys, newest first"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const keys = await listVendorKeys(c.var.deps.db, caller.vendorId, c.var.deps.now());
      return c.json({ data: keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, createdAt: iso(k.createdAt) })) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/keys", tags: ["Keys"], summary: "Create another admin key (shown once)", request: { body: jsonBody(z.object({ name: z.string().min(1).max(100) }).openapi("VendorKeyInput")) }, responses: { 201: jsonResponse(VendorKey.extend({ apiKey: z.string() }), "the key"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const key = await createVendorKey(c.var.deps.db, caller.vendorId, c.req.valid("json").name, c.var.deps.now(), actorOf(caller));
      return c.json({ id: key.id, name: key.name, prefix: key.prefix, createdAt: iso(key.createdAt), apiKey: key.apiKey }, 201);
    },
  );

  app.openapi(
    createRoute({ method: "delete", path: "/api/v1/keys/{id}", tags: ["Keys"], summary: "Revoke an admin key at once (not the last one: 409)", request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ id: z.string(), revoked: z.boolean() }), "revoked"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const { id } = unwrap(await revokeAdminKey(c.var.deps.db, caller.vendorId, c.req.valid("param").id, c.var.deps.now(), actorOf(caller)));
      return c.json({ id, revoked: true }, 200);
    },
  );
  return app;
}
