import { Hono } from "hono";
import { Layout, Csrf, CopyField, DataTable, Empty, type Column } from "../ui";
import { Facts } from "../pages/manager";
import { programKeyPrefixes } from "../../src/db/queries/dashboard";
import { changeProgramSettings } from "../../src/services/management/programs";
import { createRule } from "../../src/services/management/rules";
import { createTier } from "../../src/services/management/tiers";
import { issueSnippetKey } from "../../src/services/management/keys";
import { getOrCreateSetting, getSetting } from "../../src/db/queries/settings";
import { listRules } from "../../src/db/queries/programs";
import { checkSettingsChange, COOKIE_DAYS, HOLD_DAYS, MIN_CONVERSION_SECONDS } from "../../src/domain/programSettings";
import { listTiers } from "../../src/db/queries/tiers";
import { formatMoney, formatPercent, parseMoney, parsePercent } from "../../src/domain/money";
import { notFoundPage, tableCsv, wantsCsv } from "./common";
import { programPage } from "./programPage";
import { keepTyped, setFlash, takeTyped, type DashEnv } from "./session";

const SETTING_LABELS: Record<string, string> = {
  name: "the name", cookieDays: "the cookie window", attribution: "the attribution", holdDays: "the refund window",
  minConversionSeconds: "the fastest believable sale", minPayout: "the minimum payout", allowedDomains: "allowed domains:",
};

/** Where the dashboard remembers a program's public key (not secret; keys are otherwise only hashed). */
export const publicKeySetting = (programId: string) => `public_key:${programId}`;

export function settingsRoutes() {
  const app = new Hono<DashEnv>();

  app.get("/app/p/:pid/settings", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const { db, program, base, fmt } = ctx;
    // after a refused save, the form shows what was typed, not the stored settings
    const kept = takeTyped(c, "app");
    const typed = kept("program");
    const tierTyped = kept("tier");
    const ruleTyped = kept("rule");
    const [tiers, rules, keys, pk] = await Promise.all([
      listTiers(db, program.id), listRules(db, program.id), programKeyPrefixes(db, program.id),
      getSetting(db, publicKeySetting(program.id)),
    ]);
    // absolute URLs handed out come from AFFLUX_PUBLIC_URL, never from the request's Host
    const origin = c.var.deps.publicUrl;
    const track = c.var.deps.publicUrl;
    const tierName = new Map(tiers.map((t) => [t.id, t.name]));
    const tierCols: Column<(typeof tiers)[number]>[] = [
      { label: "Rank", value: (t) => t.rank, num: true }, { label: "Tier", value: (t) => t.name },
      { label: "Reached at", value: (t) => (t.rank === 0 ? "entry" : t.metric === "revenue" ? fmt.m(t.threshold) + " revenue" : `${fmt.n(t.threshold)} conversions`) },
      { label: "Window", value: (t) => fmt.count(t.windowDays, "day") },
    ];
    const ruleCols: Column<(typeof rules)[number]>[] = [
      { label: "Event", value: (r) => r.event }, { label: "Tier", value: (r) => (r.tierId ? tierName.get(r.tierId) ?? r.tierId : "all tiers") },
      { label: "Commission", value: (r) => (r.type === "percent" ? `${formatPercent(r.value)}%` : `${fmt.m(r.value)} flat`) },
      { label: "Since", value: (r) => new Date(r.createdAt).toISOString(), cell: (r) => fmt.day(r.createdAt) },
    ];
    if (wantsCsv(c, "tiers")) return tableCsv(tierCols, tiers, "tiers.csv");
    if (wantsCsv(c, "rules")) return tableCsv(ruleCols, rules, "rules.csv");
    const postbackKeyHint = keys.find((k) => k.kind === "postback")?.prefix ?? "afx_pb_";
    const snippet = `<script src="${track}/afflux.js" data-pk="${pk ?? "afx_pub_…"}" defer></script>`;
    // The queue form: it works before afflux.js has loaded (the tag is deferred) and after; a
    // direct afflux.conversion() call before the load throws "afflux is not defined".
    const conversionCall = `<script>\n  window.afflux = window.afflux || [];\n  afflux.push(["conversion", { orderId: "ORDER_ID", amount: "49.99", currency: "${program.currency}", event: "sale" }]);\n</script>`;
    const getTemplate = `${track}/v1/postback?key=${postbackKeyHint}…&order={order_id}&event=sale&amount={amount}&currency=${program.currency}&click={${program.clickParam}}&customer={customer_id}&coupon={coupon}`;
    const curl = `curl -X POST ${track}/v1/conversions \\\n  -H "Authorization: Bearer ${postbackKeyHint}…" -H "content-type: application/json" \\\n  -d '{"orderId":"ord_1001","event":"sale","amount":"49.99","currency":"${program.currency}","clickId":"<${program.clickParam} value>"}'`;
    return c.html(
      <Layout {...ctx.frame("settings", "Settings")}>
        <h1>Program settings</h1>
        <div class="grid">
          <section class="panel">
            <h2>Program</h2>
            <form method="post" action={`${base}/settings/program`} class="form top">
              <Csrf token={c.var.csrf} />
              <div class="field"><label for="p-name">Name</label><input id="p-name" name="name" required maxlength={200} value={typed?.name ?? program.name} /></div>
              <div class="field">
                <label for="p-window">Cookie window (days)</label>
                <input id="p-window" name="cookieDays" type="number" required min={COOKIE_DAYS.min} max={COOKIE_DAYS.max} value={typed?.cookieDays ?? String(program.cookieDays)} aria-describedby="p-window-hint" />
                <span class="hint" id="p-window-hint">How long after a click a conversion still counts.</span>
              </div>
              <div class="field">
                <label for="p-model">Attribution</label>
                <select id="p-model" name="attribution">
                  <option value="last_click" selected={(typed?.attribution ?? program.attribution) === "last_click"}>Last click wins</option>
                  <option value="first_click" selected={(typed?.attribution ?? program.attribution) === "first_click"}>First click wins</option>
                </select>
              </div>
              <div class="field">
                <label for="p-hold">Refund window (days)</label>
                <input id="p-hold" name="holdDays" type="number" required min={HOLD_DAYS.min} max={HOLD_DAYS.max} value={typed?.holdDays ?? String(program.holdDays)} aria-describedby="p-hold-hint" />
                <span class="hint" id="p-hold-hint">Days an approved commission waits for refunds before it can be paid out (not the review of pixel sales).</span>
              </div>
              <div class="field">
                <label for="p-fast">Fastest believable sale (seconds)</label>
                <input id="p-fast" name="minConversionSeconds" type="number" min={MIN_CONVERSION_SECONDS.min} max={MIN_CONVERSION_SECONDS.max} value={typed?.minConversionSeconds ?? String(program.minConversionSeconds)} aria-describedby="p-fast-hint" />
                <span class="hint" id="p-fast-hint">A sale reported sooner than this after its click is held for review as "too fast" (0: never).</span>
              </div>
              <div class="field"><label for="p-min">Minimum payout ({program.currency})</label><input id="p-min" name="minPayout" required inputmode="decimal" value={typed?.minPayout ?? formatMoney(program.minPayout, program.currency)} /></div>
              <div class="field full">
                <label for="p-domains">Allowed domains</label>
                <textarea id="p-domains" name="allowedDomains" rows={3} required aria-describedby="p-domains-hint">{typed?.allowedDomains ?? program.allowedDomains.join("\n")}</textarea>
                <span class="hint" id="p-domains-hint">One per line; <span class="mono">.example.com</span> allows every subdomain.</span>
              </div>
              <div class="full"><button>Save settings</button></div>
            </form>
            <p class="small muted">Changes apply from now on: to new clicks and conversions, and to commissions created after the change.</p>
            <Facts items={[["Currency", program.currency], ["Click parameter", <span class="mono">{program.clickParam}</span>], ["Program id", <span class="mono">{program.id}</span>]]} />
          </section>
          <section class="panel">
            <h2>Keys</h2>
            <p class="small muted">Keys are shown once when created and stored only as hashes; here are their prefixes.</p>
            <Facts items={keys.map((k) => [k.kind, <span class="mono">{k.prefix}… ({fmt.day(k.createdAt)})</span>] as [string, string])} />
          </section>
        </div>
        <section class="panel stack">
          <h2>Track conversions</h2>
          <div>
            <h3>1. Snippet on every page of your shop</h3>
            {pk ? (
              <CopyField id="snippet" value={snippet} label="Snippet tag" />
            ) : (
              <form method="post" action={`${base}/settings/public-key`} class="row">
                <Csrf token={c.var.csrf} />
                <span class="small">The snippet needs a public key (not secret: it sits in your pages).</span>
                <button class="secondary small">Create the snippet's public key</button>
              </form>
            )}
            <p class="small muted">It keeps the <span class="mono">{program.clickParam}</span> parameter of the landing URL in a first-party cookie. On the thank-you page, below the snippet tag, add (with your order id and amount in place of ORDER_ID and 49.99):</p>
            <pre class="code" id="conv-call" aria-label="Conversion call">{conversionCall}</pre>
            <button type="button" class="small secondary" data-copy="conv-call">Copy</button>
          </div>
          <div>
            <h3>2. Or a server postback (recommended: not forgeable)</h3>
            <pre class="code" id="curl">{curl}</pre>
            <button type="button" class="small secondary" data-copy="curl">Copy</button>
            <p class="small muted">For networks that can only fire a URL, the GET template (replace the placeholders; the key is your postback key, starting {postbackKeyHint}):</p>
            <CopyField id="get-template" value={getTemplate} label="GET postback template" />
            <p class="small muted">Parameters: <span class="mono">order</span> (required), <span class="mono">event</span> sale|lead, <span class="mono">amount</span> in major units, <span class="mono">currency</span>, and any of <span class="mono">click</span>, <span class="mono">customer</span>, <span class="mono">coupon</span> to attribute it.</p>
          </div>
        </section>
        <div class="grid">
          <section class="panel">
            <h2>Tiers</h2>
            <DataTable caption="Tiers" columns={tierCols} rows={tiers} csv={`${base}/settings?format=csv&table=tiers`} empty={<Empty title="No tiers">Every program has an entry tier.</Empty>} />
            <h3>Add a tier</h3>
            <form method="post" action={`${base}/settings/tiers`} class="form">
              <Csrf token={c.var.csrf} />
              <div class="field"><label for="t-name">Name</label><input id="t-name" name="name" required maxlength={100} value={tierTyped?.name} /></div>
              <div class="field"><label for="t-rank">Rank</label><input id="t-rank" name="rank" type="number" min={1} max={100} required value={tierTyped?.rank ?? String(tiers.length)} /></div>
              <div class="field"><label for="t-metric">Metric</label><select id="t-metric" name="metric"><option value="revenue">Revenue</option><option value="conversions" selected={tierTyped?.metric === "conversions"}>Conversions</option></select></div>
              <div class="field"><label for="t-th">Threshold</label><input id="t-th" name="threshold" required inputmode="decimal" placeholder="1000.00" value={tierTyped?.threshold} /></div>
              <div class="field"><label for="t-win">Window (days)</label><input id="t-win" name="windowDays" type="number" min={1} max={3650} value={tierTyped?.windowDays ?? "90"} /></div>
              <button class="secondary">Add tier</button>
            </form>
          </section>
          <section class="panel">
            <h2>Commission rules</h2>
            <DataTable caption="Rules" columns={ruleCols} rows={rules} csv={`${base}/settings?format=csv&table=rules`} empty={<Empty title="No rules yet.">Without a rule conversions earn no commission: add one below.</Empty>} />
            <h3>Add a rule</h3>
            <form method="post" action={`${base}/settings/rules`} class="form">
              <Csrf token={c.var.csrf} />
              <div class="field"><label for="r-event">Event</label><select id="r-event" name="event"><option value="sale">Sale</option><option value="lead" selected={ruleTyped?.event === "lead"}>Lead</option></select></div>
              <div class="field"><label for="r-type">Type</label><select id="r-type" name="type"><option value="percent">Percent of amount</option><option value="flat" selected={ruleTyped?.type === "flat"}>Flat amount</option></select></div>
              <div class="field"><label for="r-value">Value</label><input id="r-value" name="value" required inputmode="decimal" placeholder="20" value={ruleTyped?.value} /></div>
              <div class="field"><label for="r-tier">Tier</label><select id="r-tier" name="tierId"><option value="">All tiers</option>{tiers.map((t) => <option value={t.id} selected={ruleTyped?.tierId === t.id}>{t.name}</option>)}</select></div>
              <button class="secondary">Add rule</button>
            </form>
            <p class="small muted">A tier's rule beats the program-wide one; rules apply to conversions recorded after they exist.</p>
          </section>
        </div>
        <p class="small muted">API reference: <a href={`${origin}/api/reference`}>{origin}/api/reference</a></p>
      </Layout>,
    );
  });

  app.post("/app/p/:pid/settings/program", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const b = await c.req.parseBody();
    const field = (name: string) => String(b[name] ?? "");
    const whole = (name: string) => (/^\s*\d+\s*$/.test(field(name)) ? Number(field(name)) : NaN);
    const check = checkSettingsChange({
      name: field("name"), cookieDays: whole("cookieDays"), attribution: field("attribution"), holdDays: whole("holdDays"),
      minPayout: field("minPayout").trim(), allowedDomains: field("allowedDomains").split(/[\s,]+/).filter(Boolean),
      // older forms (and scripts) without the field leave the setting as it is
      ...(b["minConversionSeconds"] === undefined ? {} : { minConversionSeconds: whole("minConversionSeconds") }),
    }, ctx.program.currency);
    const back = `${ctx.base}/settings`;
    if (!check.ok) return (keepTyped(c, "app", "program", b), setFlash(c, "app", "err", `Nothing was saved: ${SETTING_LABELS[check.field.split(".")[0]!] ?? check.field} ${check.message}.`), c.redirect(back, 303));
    await changeProgramSettings(ctx.db, ctx.program, check.value, ctx.actor, ctx.now);
    // Cached links carry the program's domains and window: re-read them on the next redirect.
    c.var.deps.linkCache.clear();
    setFlash(c, "app", "ok", "Settings saved. They apply to clicks, conversions and commissions from now on.");
    return c.redirect(back, 303);
  });

  app.post("/app/p/:pid/settings/public-key", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const key = await issueSnippetKey(ctx.db, ctx.program, ctx.actor, ctx.now);
    await getOrCreateSetting(ctx.db, publicKeySetting(ctx.program.id), () => key);
    setFlash(c, "app", "ok", "The snippet's public key is ready.");
    return c.redirect(`${ctx.base}/settings`, 303);
  });

  app.post("/app/p/:pid/settings/tiers", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const b = await c.req.parseBody();
    const back = `${ctx.base}/settings`;
    const name = String(b["name"] ?? "").trim();
    const rank = Number(b["rank"]);
    const windowDays = Number(b["windowDays"] ?? 90);
    const metric = b["metric"] === "conversions" ? "conversions" : "revenue";
    let threshold: number;
    if (metric === "revenue") {
      const m = parseMoney(String(b["threshold"] ?? ""), ctx.program.currency);
      threshold = m.ok && m.minor >= 0 ? m.minor : NaN;
    } else threshold = Number(b["threshold"]);
    if (!name || !Number.isInteger(rank) || rank < 1 || rank > 100 || !Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3650 || !Number.isSafeInteger(threshold) || threshold < 0) {
      keepTyped(c, "app", "tier", b);
      setFlash(c, "app", "err", "A tier needs a name, a rank 1–100, a threshold (an amount, or a whole number of conversions) and a window of 1–3650 days.");
      return c.redirect(back, 303);
    }
    const created = await createTier(ctx.db, ctx.program, { name, rank, metric, threshold: String(b["threshold"] ?? "").trim(), windowDays }, ctx.now, ctx.actor);
    if (created.kind === "ok") setFlash(c, "app", "ok", `Tier ${name} added; partners move into it at the next settle.`);
    else {
      keepTyped(c, "app", "tier", b);
      setFlash(c, "app", "err", created.kind === "conflict" ? `Rank ${rank} is taken in this program.` : `The tier was refused: ${"message" in created ? created.message : "unknown"}.`);
    }
    return c.redirect(back, 303);
  });

  app.post("/app/p/:pid/settings/rules", async (c) => {
    const ctx = await programPage(c);
    if (!ctx) return notFoundPage(c, "app");
    const b = await c.req.parseBody();
    const back = `${ctx.base}/settings`;
    const event = b["event"] === "lead" ? "lead" : "sale";
    const type = b["type"] === "flat" ? "flat" : "percent";
    const tierId = String(b["tierId"] ?? "") || null;
    if (tierId && !(await listTiers(ctx.db, ctx.program.id)).some((t) => t.id === tierId)) return (keepTyped(c, "app", "rule", b), setFlash(c, "app", "err", "No such tier."), c.redirect(back, 303));
    const parsed = type === "percent" ? parsePercent(String(b["value"] ?? "")) : parseMoney(String(b["value"] ?? ""), ctx.program.currency);
    const value = parsed.ok ? ("scaled" in parsed ? parsed.scaled : parsed.minor) : NaN;
    if (!parsed.ok || value < 0) return (keepTyped(c, "app", "rule", b), setFlash(c, "app", "err", `The value was refused: ${parsed.ok ? "must not be negative" : parsed.message}.`), c.redirect(back, 303));
    const created = await createRule(ctx.db, ctx.program, { event, type, value: String(b["value"] ?? "").trim(), ...(tierId ? { tierId } : {}) }, ctx.now, ctx.actor);
    if (created.kind !== "ok") return (keepTyped(c, "app", "rule", b), setFlash(c, "app", "err", `The rule was refused: ${"message" in created ? created.message : "unknown"}.`), c.redirect(back, 303));
    setFlash(c, "app", "ok", `Rule added: ${type === "percent" ? `${formatPercent(value)}%` : `${formatMoney(value, ctx.program.currency)} ${ctx.program.currency}`} per ${event}.`);
    return c.redirect(back, 303);
  });
  return app;
}
