import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { CopyField } from "./ui";
import type { Outcome } from "../src/services/outcome";

/**
 * Pieces of the management forms. A refused submit answers the same page again with what was
 * typed and the reason (no redirect: nothing to lose); a successful one redirects (POST-redirect-GET),
 * except where a new key is shown once, which is never stored to be shown later.
 */

/** A form's fields as text (the `_csrf` field and files left out). */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string" && k !== "_csrf") out[k] = v;
  return out;
}

export type Refusal = { text: string; status: 400 | 409 };

/** Why a use-case refused, in a sentence; null when it did not. */
export function refusalOf(outcome: Outcome<unknown>, labels: Record<string, string> = {}): Refusal | null {
  switch (outcome.kind) {
    case "ok": return null;
    case "invalid": return { text: `Nothing was saved: ${labels[outcome.path.split(".")[0]!] ?? `the ${outcome.path}`} ${outcome.message}.`, status: 400 };
    case "conflict": return { text: `Nothing was saved: ${outcome.message}.`, status: 409 };
    case "not_found": return { text: `Nothing was saved: no such ${outcome.what}.`, status: 400 };
  }
}

export const FormError = ({ refusal }: { refusal: Refusal | null | undefined }) =>
  refusal ? <div class="flash err" role="alert">{refusal.text}</div> : null;

/** A labelled text field holding `value` (what was typed, after a refused submit). */
export function Field(p: { id: string; name: string; label: string; value?: string | undefined; type?: string; required?: boolean; hint?: Child; maxlength?: number; inputmode?: "decimal" | "numeric"; pattern?: string; min?: number; max?: number; placeholder?: string; full?: boolean }) {
  const hintId = p.hint ? `${p.id}-h` : undefined;
  return (
    <div class={p.full ? "field full" : "field"}>
      <label for={p.id}>{p.label}</label>
      <input id={p.id} name={p.name} type={p.type ?? "text"} value={p.value ?? ""} required={p.required} maxlength={p.maxlength} inputmode={p.inputmode}
        pattern={p.pattern} min={p.min === undefined ? undefined : String(p.min)} max={p.max === undefined ? undefined : String(p.max)} placeholder={p.placeholder}
        aria-describedby={hintId} autocomplete="off" />
      {p.hint ? <span class="hint" id={hintId}>{p.hint}</span> : null}
    </div>
  );
}

export function Select(p: { id: string; name: string; label: string; value: string | undefined; options: [string, string][] }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <select id={p.id} name={p.name}>
        {p.options.map(([v, l]) => <option value={v} selected={v === p.value}>{l}</option>)}
      </select>
    </div>
  );
}

/** `?q=` search of a list: a plain GET form; the current search stays in the field. */
export function SearchForm({ action, q, label }: { action: string; q: string; label: string }) {
  return (
    <form method="get" action={action} class="row" role="search">
      <label class="lbl" for="q">{label}</label>
      <input id="q" name="q" type="search" value={q} maxlength={200} />
      <button class="secondary small">Search</button>
      {q ? <a class="small" href={action}>Clear</a> : null}
    </form>
  );
}

/** New secrets, shown this once: only their hashes are stored, so nobody can show them again. */
export function ShownOnce({ title, keys, children }: { title: string; keys: { id: string; label: string; value: string }[]; children?: Child }) {
  return (
    <section class="panel" role="status" aria-labelledby="shown-once-h">
      <h2 id="shown-once-h">{title}</h2>
      <p><strong>Shown once.</strong> Copy {keys.length > 1 ? "these keys" : "this key"} now and keep {keys.length > 1 ? "them" : "it"} somewhere safe: afflux stores only a hash and cannot show {keys.length > 1 ? "them" : "it"} again.</p>
      {keys.map((k) => (
        <div class="field">
          <span class="lbl">{k.label}</span>
          <CopyField id={k.id} value={k.value} label={k.label} />
        </div>
      ))}
      {children}
    </section>
  );
}

/** A form field's value, trimmed; "" when absent. */
export const text = (f: Record<string, string>, name: string) => (f[name] ?? "").trim();

/** A whole number typed in a form, or NaN. */
export const whole = (f: Record<string, string>, name: string) => (/^\s*\d{1,9}\s*$/.test(f[name] ?? "") ? Number(f[name]) : NaN);
