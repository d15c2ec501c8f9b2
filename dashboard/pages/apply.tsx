import type { Child } from "hono/jsx";
import { ASSETS } from "../assets";
import type { ApplicationSettings } from "../../src/db/schema";

/** The name of the hidden field people never see and bots fill in. */
export const HONEYPOT = "website_url";

export interface ApplyValues {
  name?: string; email?: string; website?: string; country?: string; answers?: Record<string, string>;
}

/** A public page of its own (no dashboard frame: the applicant has no account). */
export function PublicPage({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · afflux`}</title>
        <link rel="stylesheet" href={ASSETS.css.path} />
      </head>
      <body>
        <main id="main"><div class="auth"><div class="panel">{children}</div></div></main>
      </body>
    </html>
  );
}

/** The application form: works without JavaScript; the program's questions after the fixed fields. */
export function ApplyPage(p: { program: string; handle: string; csrf: string; questions: ApplicationSettings["questions"]; values?: ApplyValues; error?: string | null; source?: string; ref?: string }) {
  const v = p.values ?? {};
  return (
    <PublicPage title={`Become a partner of ${p.program}`}>
      <h1>Become a partner of {p.program}</h1>
      <p class="muted">Tell us about yourself. We answer every application.</p>
      {p.error ? <div class="flash err" role="alert">{p.error}</div> : null}
      <form method="post" action={`/apply/${p.handle}`} class="stack">
        <input type="hidden" name="_csrf" value={p.csrf} />
        {p.source ? <input type="hidden" name="source" value={p.source} /> : null}
        {p.ref ? <input type="hidden" name="ref" value={p.ref} /> : null}
        <div class="field"><label for="name">Name</label><input id="name" name="name" required maxlength={200} autocomplete="name" value={v.name ?? ""} /></div>
        <div class="field"><label for="email">Email</label><input id="email" name="email" type="email" required maxlength={320} autocomplete="email" value={v.email ?? ""} /></div>
        <div class="field"><label for="website">Website (optional)</label><input id="website" name="website" type="url" maxlength={2048} placeholder="https://" value={v.website ?? ""} /></div>
        <div class="field">
          <label for="country">Country (optional, two letters)</label>
          <input id="country" name="country" maxlength={2} pattern="[A-Za-z]{2}" placeholder="DE" autocomplete="country" value={v.country ?? ""} aria-describedby="country-hint" />
          <span class="hint" id="country-hint">ISO country code: DE, FR, US…</span>
        </div>
        {p.questions.map((q) => (
          <div class="field">
            <label for={`q-${q.id}`}>{q.label}{q.required ? "" : " (optional)"}</label>
            <textarea id={`q-${q.id}`} name={`q_${q.id}`} maxlength={2000} required={q.required}>{v.answers?.[q.id] ?? ""}</textarea>
          </div>
        ))}
        {/* a honeypot: hidden from people (and screen readers), filled in by form-filling bots */}
        <div hidden aria-hidden="true">
          <label for={HONEYPOT}>Leave this empty</label>
          <input id={HONEYPOT} name={HONEYPOT} tabindex={-1} autocomplete="off" />
        </div>
        <button>Send my application</button>
      </form>
    </PublicPage>
  );
}

export function ApplyOutcomePage(p: { title: string; message: string; kind: "ok" | "err"; program?: string }) {
  return (
    <PublicPage title={p.title}>
      <h1>{p.title}</h1>
      <div class={`flash ${p.kind}`} role={p.kind === "err" ? "alert" : "status"}>{p.message}</div>
    </PublicPage>
  );
}
