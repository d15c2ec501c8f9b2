import type { Db } from "../../db/client";
import { updateProgram, type ProgramRow } from "../../db/queries/programs";
import { diffChanges, type Actor } from "../../domain/audit";
import { formatMoney } from "../../domain/money";
import type { ProgramSettings } from "../../domain/programSettings";
import { missing, ok, type Outcome } from "../outcome";

type SettingsChange = Partial<ProgramSettings & Pick<ProgramRow, "handle" | "applications">>;
const SETTINGS: (keyof SettingsChange)[] = [
  "name", "cookieDays", "attribution", "holdDays", "allowedDomains", "minPayout", "minConversionSeconds", "dealProtectionDays", "leadSlaHours", "handle", "applications",
];

/** Settings as the API shows them (money as a decimal string), so the audit diff reads like the API. */
const shown = (p: Partial<ProgramSettings>, currency: string) => ({ ...p, minPayout: p.minPayout === undefined ? undefined : formatMoney(p.minPayout, currency) });

/** Changes a program's settings (checked already) and records who changed what, in one batch. */
export async function changeProgramSettings(db: Db, program: ProgramRow, changes: SettingsChange, actor: Actor, now: number): Promise<Outcome<ProgramRow>> {
  const diff = diffChanges(shown(program, program.currency), shown({ ...program, ...changes }, program.currency), SETTINGS);
  const event = Object.keys(diff).length
    ? { vendorId: program.vendorId, programId: program.id, action: "program.update", actor, object: { type: "program", id: program.id }, changes: diff }
    : null;
  const updated = await updateProgram(db, program.vendorId, program.id, changes, event, now);
  return updated ? ok(updated) : missing("program");
}
