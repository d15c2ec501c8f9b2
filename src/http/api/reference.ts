import { createHash } from "node:crypto";
import type { Context } from "hono";

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#57606a;--line:#d0d7de;--acc:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9198a1;--line:#30363d;--acc:#6ea8fe}}
body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:60rem;margin:0 auto;padding:1rem}
details{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.5rem .75rem}summary{cursor:pointer}
code,pre,textarea,input{font:13px ui-monospace,monospace}pre{overflow:auto;background:rgba(127,127,127,.1);padding:.5rem;border-radius:4px}
.m{display:inline-block;min-width:4.5rem;font-weight:700;color:var(--acc)}label{display:block;margin:.25rem 0}
input,textarea{width:100%;box-sizing:border-box;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:.3rem}
button{margin-top:.4rem;padding:.35rem .8rem}`;

const SCRIPT = `
const esc=s=>String(s).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
fetch("/api/openapi.json").then(r=>r.json()).then(doc=>{const out=[];
for(const [path,ops] of Object.entries(doc.paths))for(const [method,op] of Object.entries(ops)){
const params=(op.parameters||[]).filter(p=>p.in!=="header");const body=op.requestBody?.content?.["application/json"]?.schema;
out.push('<details><summary><span class="m">'+method.toUpperCase()+'</span><code>'+esc(path)+'</code> — '+esc(op.summary||"")+'</summary><form data-method="'+method+'" data-path="'+esc(path)+'">'
+params.map(p=>'<label>'+esc(p.name)+' ('+p.in+')'+(p.required?' *':'')+' <input name="'+esc(p.in+":"+p.name)+'"></label>').join("")
+(body?'<label>JSON body<textarea name="body" rows="5">{}</textarea></label><pre>'+esc(JSON.stringify(body,null,1))+'</pre>':"")
+'<button>Send</button><pre class="res" aria-live="polite"></pre></form></details>')}
const ops=document.getElementById("ops");ops.innerHTML=out.join("");
ops.addEventListener("submit",async e=>{e.preventDefault();const f=e.target;let path=f.dataset.path;const q=new URLSearchParams();
for(const el of f.querySelectorAll("input")){const [where,name]=el.name.split(":");if(!el.value)continue;if(where==="path")path=path.replace("{"+name+"}",encodeURIComponent(el.value));else q.set(name,el.value)}
const init={method:f.dataset.method.toUpperCase(),headers:{authorization:"Bearer "+document.getElementById("key").value}};
if(f.body){init.body=f.body.value;init.headers["content-type"]="application/json"}
const r=await fetch(path+(q.size?"?"+q:""),init);f.querySelector(".res").textContent=r.status+"\\n"+await r.text()})})
`;

/**
 * Interactive API reference, self-contained (no CDN: afflux must work offline): it reads
 * /api/openapi.json, lists every operation with its parameters and schemas, and lets the reader
 * send a request with their key.
 */
export const REFERENCE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>afflux API reference</title><style>${STYLE}</style></head><body>
<h1>afflux API reference</h1><p>The machine-readable document is <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
<label>API key (kept in this page only) <input id="key" type="password" autocomplete="off"></label><div id="ops">Loading…</div>
<script>${SCRIPT}</script></body></html>`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/**
 * The page's own policy: its one inline script and style run by hash (no 'unsafe-inline'), it
 * fetches only this origin (the OpenAPI document and the requests it sends), nothing frames it.
 */
export const REFERENCE_CSP = [
  "default-src 'none'", `script-src ${sha256(SCRIPT)}`, `style-src ${sha256(STYLE)}`, "connect-src 'self'",
  "img-src 'self' data:", "form-action 'none'", "frame-ancestors 'none'", "base-uri 'none'",
].join("; ");

export function referencePage(c: Context) {
  c.header("content-security-policy", REFERENCE_CSP);
  return c.html(REFERENCE_PAGE);
}
