import { LeadProfile as LeadProfileSchema } from "../../src/http/api/schemas";
import type { LeadProfile } from "../../src/domain/leads";
import { Csrf } from "../ui";
import { whole } from "../forms";

/** "de fr, it" → ["de", "fr", "it"]: the form's lists are words separated by spaces or commas. */
const words = (v: string | undefined) => (v ?? "").split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

/**
 * A lead profile from a form (the manager's partner rows and the partner's own portal page),
 * checked by the API's own schema so that both say yes and no to the same profiles.
 */
export function leadProfileFromForm(form: Record<string, string>): { ok: true; profile: LeadProfile } | { ok: false; message: string } {
  const parsed = LeadProfileSchema.safeParse({ countries: words(form["countries"]), verticals: words(form["verticals"]), leadCapacity: whole(form, "leadCapacity") });
  if (parsed.success) return { ok: true, profile: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path[0] === "countries" ? "Countries" : issue.path[0] === "verticals" ? "Verticals" : "Capacity";
  const hint = issue.path[0] === "countries" ? "two-letter codes such as DE" : issue.path[0] === "verticals" ? "words of at most 60 characters, at most 100 of them" : "a whole number from 0 to 10000";
  return { ok: false, message: `${field}: ${hint}` };
}

/** A form posting a lead profile's three fields, filled in, to `action`; `of` names whose profile it is for screen readers. */
export function LeadProfileForm(props: { action: string; csrf: string; profile: LeadProfile; of: string; size?: number; button?: string }) {
  const { profile, of, size } = props;
  return (
    <form method="post" action={props.action} class="row"><Csrf token={props.csrf} />
      <input name="countries" value={profile.countries.join(" ")} placeholder="any country" aria-label={`Countries of ${of}`} size={size} />
      <input name="verticals" value={profile.verticals.join(" ")} placeholder="any vertical" aria-label={`Verticals of ${of}`} size={size} />
      <input name="leadCapacity" type="number" min={0} max={10000} value={String(profile.leadCapacity)} aria-label={`Lead capacity of ${of}`} />
      <button class="small secondary">{props.button ?? "Save"}</button>
    </form>
  );
}
