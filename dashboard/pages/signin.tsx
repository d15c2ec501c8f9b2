import { Layout } from "../ui";

export function SignInPage(p: { area: "app" | "portal"; csrf: string; error?: string | null; status?: string | null }) {
  const manager = p.area === "app";
  return (
    <Layout title="Sign in" area={p.area} nav={[]} current="" csrf={null}>
      <div class="auth">
        <div class="panel">
          <h1>{manager ? "Sign in to the manager dashboard" : "Sign in to your partner portal"}</h1>
          {p.error ? <div class="flash err" role="alert">{p.error}</div> : null}
          {p.status ? <div class="flash ok" role="status">{p.status}</div> : null}
          <form method="post" action={`/${p.area}/login`} class="stack">
            <input type="hidden" name="_csrf" value={p.csrf} />
            <div class="field">
              <label for="key">{manager ? "Vendor admin key" : "Partner key"}</label>
              <input id="key" name="key" type="password" autocomplete="current-password" required placeholder={manager ? "afx_sk_…" : "afx_pk_…"} aria-describedby="key-hint" />
              <span class="hint" id="key-hint">
                {manager
                  ? "The afx_sk_ key printed when your vendor account was created (npm run afflux -- keys create vendor, or the demo)."
                  : "The afx_pk_ key your program manager gave you. No key? Ask them for a one-time sign-in link."}
              </span>
            </div>
            <button>Sign in</button>
          </form>
          <p class="small muted">
            {manager ? <>Are you a partner? <a href="/portal/login">Partner portal</a>.</> : <>Managing a program? <a href="/app/login">Manager sign-in</a>.</>}
          </p>
        </div>
      </div>
    </Layout>
  );
}

export function SignInLinkPage(p: { csrf: string; token: string; error?: string | null }) {
  return (
    <Layout title="Sign in" area="portal" nav={[]} current="" csrf={null}>
      <div class="auth">
        <div class="panel">
          <h1>Your partner portal</h1>
          {p.error ? (
            <div class="flash err" role="alert">{p.error}</div>
          ) : (
            <form method="post" action="/portal/signin" class="stack">
              <p>This one-time link signs you in. Continue to see your links, results and earnings.</p>
              <input type="hidden" name="_csrf" value={p.csrf} />
              <input type="hidden" name="token" value={p.token} />
              <button>Continue to the portal</button>
            </form>
          )}
          <p class="small muted">
            Have a partner key instead? <a href="/portal/login">Sign in with it</a>.
          </p>
        </div>
      </div>
    </Layout>
  );
}
