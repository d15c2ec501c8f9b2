import type { Context } from "hono";
import { managerNav } from "../pages/manager";
import { getVendorProgram, listPrograms } from "../../src/db/queries/programs";
import { fmtFor, pageHeaders } from "./common";
import { sessionActor, takeFlash, type DashEnv } from "./session";

type C = Context<DashEnv>;

/** The vendor's program named in the path, with what every manager page needs. */
export async function programPage(c: C) {
  const { db } = c.var.deps;
  const program = await getVendorProgram(db, c.var.session.vendorId, c.req.param("pid") ?? "");
  if (!program) return null;
  const programs = (await listPrograms(db, c.var.session.vendorId, { limit: 100, cursor: null })).data;
  const base = `/app/p/${program.id}`;
  const fmt = fmtFor(c, program.currency);
  pageHeaders(c);
  const frame = (current: string, title: string) => ({
    title: `${title} · ${program.name}`, area: "app" as const, nav: managerNav(base), current, csrf: c.var.csrf,
    who: program.name, programs: programs.map((p) => ({ id: p.id, name: p.name })), programId: program.id, flash: takeFlash(c, "app"),
  });
  return { db, program, base, fmt, frame, now: c.var.deps.now(), actor: sessionActor(c.var.session) };
}

/** A partner as the link form's picker needs it. */
export const partnerOption = (p: { id: string; name: string }) => p;
