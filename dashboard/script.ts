/**
 * The only script of the dashboard, served from /static: sortable tables, copy buttons and
 * "select all" for bulk actions. Everything works without it except sorting and copying.
 */
export const SCRIPT = `(function(){
function val(td){var v=td.getAttribute("data-v");if(v===null)v=td.textContent.trim();var n=Number(v);return v!==""&&!isNaN(n)?n:v.toLowerCase()}
document.querySelectorAll("table[data-sortable]").forEach(function(t){
 t.querySelectorAll("thead th").forEach(function(th,i){
  var b=document.createElement("button");b.type="button";b.className="sort";b.textContent=th.textContent;th.textContent="";th.appendChild(b);
  b.addEventListener("click",function(){
   var dir=th.getAttribute("aria-sort")==="descending"?"ascending":"descending";
   t.querySelectorAll("thead th").forEach(function(o){o.removeAttribute("aria-sort")});th.setAttribute("aria-sort",dir);
   var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows);
   rows.sort(function(a,c){var x=val(a.cells[i]),y=val(c.cells[i]);var r=x<y?-1:x>y?1:0;return dir==="ascending"?r:-r});
   rows.forEach(function(r){tb.appendChild(r)});
  });
 });
});
document.querySelectorAll("[data-copy]").forEach(function(b){b.addEventListener("click",function(){
 var el=document.getElementById(b.getAttribute("data-copy"));if(!el)return;var text=el.value!==undefined?el.value:el.textContent;
 var done=function(){var o=b.textContent;b.textContent="Copied";setTimeout(function(){b.textContent=o},1500)};
 if(navigator.clipboard&&window.isSecureContext)navigator.clipboard.writeText(text).then(done,function(){el.select&&el.select()});else{el.select&&el.select();try{document.execCommand("copy");done()}catch(e){}}
})});
document.querySelectorAll("input[data-all]").forEach(function(a){a.addEventListener("change",function(){
 document.querySelectorAll("input[name='"+a.getAttribute("data-all")+"']").forEach(function(c){c.checked=a.checked})})});
document.querySelectorAll("form[data-confirm]").forEach(function(f){f.addEventListener("submit",function(e){if(!confirm(f.getAttribute("data-confirm")))e.preventDefault()})});
document.querySelectorAll("select[data-submit]").forEach(function(s){s.addEventListener("change",function(){s.form.submit()})});
})();`;
