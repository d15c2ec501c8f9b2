import type { ApplicationSettings } from "../../db/schema";
import type { Db } from "../../db/client";
import { insertProgram, type ProgramRow } from "../../db/queries/programs";
import { publicKeySettingKey, putSetting } from "../../db/queries/settings";
import type { AttributionModel } from "../../domain/attribution";
import { diffChanges, type Actor } from "../../domain/audit";
import { formatMoney, isCurrency } from "../../domain/money";
import { checkAllowedDomains, checkMinPayout, COOKIE_DAYS, HOLD_DAYS } from "../../domain/programSettings";
import { invalidInput, ok, type Outcome } from "../outcome";

export interface NewProgramInput {
  name: string;
  currency: string;
  cookieDays: number;
  attribution: AttributionModel;
  holdDays: number;
  allowedDomains: string[];
  clickParam: string;
  minPayout: string | number;
  minConversionSeconds?: number;
  dealProtectionDays?: number;
  leadSlaHours?: number;
  /** unique across the server; derived from the name when absent */
  handle?: string | undefined;
  applications?: ApplicationSettings;
}

export interface CreatedProgram {
  program: ProgramRow;
  entryTierId: string;
  /** shown once: only their hashes are stored */
  postbackKey: string;
  publicKey: string;
}

const CREATED_FIELDS = ["name", "currency", "cookieDays", "attribution", "holdDays", "allowedDomains", "minPayout", "clickParam", "minConversionSeconds"];

const inRange = (n: number, r: { min: number; max: number }) => Number.isInteger(n) && n >= r.min && n <= r.max;

/**
 * A vendor's new program with its entry tier and its postback and public keys (the API's
 * `POST /api/v1/programs` and the dashboard's "New program" form). The public key is also
 * remembered for the snippet the settings page shows.
 */
export async function createProgram(db: Db, vendorId: string, input: NewProgramInput, now: number, actor: Actor): Promise<Outcome<CreatedProgram>> {
  const name = input.name.trim();
  if (!name || name.length > 200) return invalidInput("name", "needs 1–200 characters");
  if (!isCurrency(input.currency)) return invalidInput("currency", `unknown currency "${input.currency}"`);
  if (!inRange(input.cookieDays, COOKIE_DAYS)) return invalidInput("cookieDays", `must be a whole number of days, ${COOKIE_DAYS.min}–${COOKIE_DAYS.max}`);
  if (!inRange(input.holdDays, HOLD_DAYS)) return invalidInput("holdDays", `must be a whole number of days, ${HOLD_DAYS.min}–${HOLD_DAYS.max}`);
  if (input.attribution !== "last_click" && input.attribution !== "first_click") return invalidInput("attribution", "must be last_click or first_click");
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(input.clickParam)) return invalidInput("clickParam", "1–64 letters, digits, _ . or -");
  const domains = checkAllowedDomains(input.allowedDomains);
  if (!domains.ok) return invalidInput(domains.field, domains.message);
  const minPayout = checkMinPayout(input.minPayout, input.currency);
  if (!minPayout.ok) return invalidInput(minPayout.field, minPayout.message);
  const settings = { ...input, name, vendorId, allowedDomains: domains.value, minPayout: minPayout.value };
  const created = await insertProgram(db, settings, now, (id) => ({
    vendorId, programId: id, action: "program.create", actor, object: { type: "program", id },
    changes: diffChanges(null, { ...settings, minPayout: formatMoney(settings.minPayout, settings.currency) }, CREATED_FIELDS),
  }));
  await putSetting(db, publicKeySettingKey(created.program.id), created.publicKey);
  return ok(created);
}
