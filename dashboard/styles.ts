/** The whole stylesheet, served from /static (no CDN, no build step). Light and dark, AA contrast. */
export const CSS = `
:root{color-scheme:light dark;--bg:#f5f6f8;--panel:#fff;--text:#16191f;--muted:#4f5866;--line:#dde1e7;--accent:#1d4ed8;--accent-text:#fff;--accent-soft:#e8eefc;
--ok:#116b3c;--ok-bg:#e3f4ea;--warn:#8a4b00;--warn-bg:#fdf0dc;--bad:#a3231f;--bad-bg:#fbe6e5;--info:#1d4ed8;--info-bg:#e8eefc;--neutral:#3d4552;--neutral-bg:#eceef2;
--c1:#2563eb;--c2:#059669;--c3:#b45309;--focus:#1d4ed8;--field-border:#7b8494;--shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08)}
@media (prefers-color-scheme:dark){:root{--bg:#101216;--panel:#181b21;--text:#e7e9ed;--muted:#a4acb9;--line:#2d323b;--accent:#8ab4ff;--accent-text:#0b1220;--accent-soft:#1c2a44;
--ok:#6ee7a8;--ok-bg:#12301f;--warn:#fbc96b;--warn-bg:#3a2a0e;--bad:#ff9d97;--bad-bg:#3d1614;--info:#9cc0ff;--info-bg:#1c2a44;--neutral:#c3c9d3;--neutral-bg:#262a32;
--c1:#60a5fa;--c2:#34d399;--c3:#fbbf24;--focus:#8ab4ff;--field-border:#8a93a2;--shadow:none}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent)}a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:3px}
.skip{position:absolute;left:-999px;top:0;background:var(--panel);padding:.5rem 1rem;z-index:9}.skip:focus{left:.5rem}
header.top{background:var(--panel);border-bottom:1px solid var(--line)}
.bar{max-width:1200px;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.brand{font-weight:700;font-size:1.1rem;color:var(--text);text-decoration:none;display:flex;align-items:center;gap:.4rem}
.brand svg{width:22px;height:22px}
.who{margin-left:auto;display:flex;gap:.6rem;align-items:center;color:var(--muted);font-size:.9rem;flex-wrap:wrap}
nav.tabs{max-width:1200px;margin:0 auto;padding:0 1rem;display:flex;gap:.25rem;overflow-x:auto;scrollbar-width:thin}
nav.tabs a{padding:.55rem .75rem;color:var(--muted);text-decoration:none;border-bottom:3px solid transparent;white-space:nowrap;font-weight:500}
nav.tabs a[aria-current=page]{color:var(--text);border-color:var(--accent)}
nav.tabs a:hover{color:var(--text)}
main{max-width:1200px;margin:0 auto;padding:1.25rem 1rem 3rem}main p,main h1,main h2{overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0 1rem;line-height:1.25}h2{font-size:1.1rem;margin:0 0 .75rem}h3{font-size:1rem;margin:0 0 .5rem}
.head{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;justify-content:space-between;margin-bottom:1rem}.head h1{margin:0}
.muted{color:var(--muted)}.small{font-size:.875rem}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:1rem;box-shadow:var(--shadow);margin-bottom:1rem;min-width:0}
.grid{display:grid;gap:1rem;margin-bottom:1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,340px),1fr))}
.grid>.panel{margin-bottom:0}.stack>*+*{margin-top:1rem}
.kpis{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));margin-bottom:1rem}
.kpi{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:.75rem .9rem;box-shadow:var(--shadow)}
.kpi .l{color:var(--muted);font-size:.8rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.kpi .v{font-size:1.45rem;font-weight:650;font-variant-numeric:tabular-nums;margin-top:.1rem;line-height:1.3}
.kpi .d{font-size:.8rem;color:var(--muted)}.up{color:var(--ok)}.down{color:var(--bad)}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
.tw{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
.tw th:first-child,.tw td:first-child{position:sticky;left:0;z-index:1;background:var(--panel);box-shadow:inset -1px 0 0 var(--line)}
.tw tbody tr:hover td:first-child{background:var(--accent-soft)}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;color:var(--muted);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right}
tbody tr:hover{background:var(--accent-soft)}
th button.sort{all:unset;cursor:pointer;display:inline-flex;gap:.25rem;align-items:center}
th button.sort:focus-visible{outline:3px solid var(--focus)}
th[aria-sort=ascending] button.sort::after{content:"▲";font-size:.7em}th[aria-sort=descending] button.sort::after{content:"▼";font-size:.7em}
.tools{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;margin-bottom:.5rem}
pre.mail{white-space:pre-wrap;word-break:break-word;font-size:.85rem;max-width:60ch}
.signal{display:inline-block;margin:0 .25rem .1rem 0;padding:0 .4rem;border:1px solid var(--warn);border-radius:4px;font-size:.75rem;color:var(--warn);white-space:nowrap}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:.78rem;font-weight:600;background:var(--neutral-bg);color:var(--neutral);white-space:nowrap}
.s-hold,.s-pending-p{background:var(--warn-bg);color:var(--warn)}.s-pending{background:var(--info-bg);color:var(--info)}
.s-approved,.s-attributed,.s-paid{background:var(--ok-bg);color:var(--ok)}.s-rejected,.s-reversed,.s-unattributed,.s-suspended{background:var(--bad-bg);color:var(--bad)}
form.inline{display:inline}
.form{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,220px),1fr));align-items:end}
.form.top{align-items:start}.form .full{grid-column:1/-1}
.field{display:flex;flex-direction:column;gap:.25rem;min-width:0}.field label,.lbl{font-size:.85rem;font-weight:600}
.field .hint{font-size:.8rem;color:var(--muted)}
input,select,textarea{font:inherit;color:var(--text);background:var(--panel);border:1px solid var(--field-border);border-radius:7px;padding:.45rem .6rem;min-height:2.4rem;width:100%;min-width:0}
/* fields show the ring on any focus (date inputs focus an inner segment, which :focus-visible on the field misses) */
input:focus,select:focus,textarea:focus{outline:3px solid var(--focus);outline-offset:1px}
input[type=checkbox]{width:1.15rem;height:1.15rem;min-height:0;accent-color:var(--accent)}
.check{display:flex;gap:.5rem;align-items:center;font-weight:500}
button,.btn{font:inherit;font-weight:600;display:inline-flex;align-items:center;justify-content:center;gap:.35rem;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);border-radius:7px;padding:.45rem .9rem;min-height:2.4rem;cursor:pointer;text-decoration:none;white-space:nowrap}
button.secondary,.btn.secondary{background:transparent;color:var(--accent)}
button.danger{background:transparent;color:var(--bad);border-color:var(--bad)}
button.link{all:unset;cursor:pointer;color:var(--accent);text-decoration:underline;font-size:.9rem}
button.small,.btn.small{min-height:1.9rem;padding:.15rem .6rem;font-size:.85rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.copy{display:flex;gap:.4rem;align-items:stretch;min-width:0}.copy input{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
.flash{border-radius:8px;padding:.7rem 1rem;margin-bottom:1rem;border:1px solid}
.flash.ok{background:var(--ok-bg);color:var(--ok);border-color:currentColor}.flash.err{background:var(--bad-bg);color:var(--bad);border-color:currentColor}
.empty{text-align:center;padding:2rem 1rem;color:var(--muted)}.empty strong{display:block;color:var(--text);font-size:1.05rem;margin-bottom:.25rem}
.chart{margin:0;min-width:0}.chart svg{width:100%;max-width:100%;height:auto;display:block}
.chart .ax{font-size:11px;fill:var(--muted)}.chart .gl{stroke:var(--line)}.chart .b1{fill:var(--c1)}.chart .b2{fill:var(--c2)}
.chart .l3{fill:none;stroke:var(--c3);stroke-width:2}.chart .a3{fill:var(--c3);opacity:.18}.chart .hv{fill:transparent}.chart .hv:hover{fill:var(--accent-soft);opacity:.6}
.chart .pt{font-size:12px;font-weight:600;fill:var(--text)}
.legend{display:flex;flex-wrap:wrap;gap:1rem;font-size:.85rem;color:var(--muted);margin-top:.25rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.35rem;vertical-align:-1px}
.k1{background:var(--c1)}.k2{background:var(--c2)}.k3{background:var(--c3)}
svg.meter{width:80px;height:8px;vertical-align:middle}svg.meter .tr{fill:var(--neutral-bg)}svg.meter .fl{fill:var(--c1)}
ol.top{list-style:none;margin:0;padding:0}ol.top li{display:grid;grid-template-columns:1fr auto;gap:.1rem .75rem;padding:.45rem 0;border-bottom:1px solid var(--line)}
ol.top li:last-child{border:0}ol.top .sub{grid-column:1/-1;font-size:.8rem;color:var(--muted)}
.progress{height:10px;border-radius:99px;background:var(--neutral-bg);overflow:hidden}.progress svg{display:block;width:100%;height:10px}.progress rect{fill:var(--c2)}
.auth{max-width:26rem;margin:10vh auto;padding:0 1rem}.auth .panel{padding:1.5rem}
pre.code{background:var(--neutral-bg);padding:.75rem;border-radius:8px;overflow-x:auto;font-size:.82rem;white-space:pre-wrap;word-break:break-all}
dl.facts{display:grid;grid-template-columns:fit-content(45%) 1fr;gap:.35rem 1rem;margin:0}dl.facts dt{color:var(--muted);font-weight:600;font-size:.875rem}dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.pager{display:flex;justify-content:flex-end;gap:.5rem;margin-top:.75rem}
.qr{background:#fff;padding:8px;border-radius:8px;width:180px;height:180px}
details summary{cursor:pointer;font-weight:600}
@media (max-width:640px){main{padding:1rem .75rem 2rem}h1{font-size:1.3rem}.kpi .v{font-size:1.2rem}.kpis{grid-template-columns:repeat(2,1fr)}th,td{padding:.45rem .4rem}
nav.tabs{flex-wrap:wrap;overflow:visible;padding:0 .5rem}nav.tabs a{padding:.4rem .5rem}
.chart .ax{font-size:16px}.chart .pt{font-size:17px}}
@media (max-width:420px){.chart svg{overflow:visible}.chart .ax{font-size:19px}.chart .pt{font-size:22px}}
`;
