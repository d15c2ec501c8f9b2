import { SCRIPT } from "./script";
import { CSS } from "./styles";

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Content-addressed names, so browsers may cache them forever and a deploy still refreshes them. */
export const ASSETS = {
  css: { path: `/static/dashboard.${fnv1a(CSS)}.css`, body: CSS.trim(), type: "text/css; charset=utf-8" },
  js: { path: `/static/dashboard.${fnv1a(SCRIPT)}.js`, body: SCRIPT, type: "text/javascript; charset=utf-8" },
} as const;
