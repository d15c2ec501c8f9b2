/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { Page } from "playwright-core";

export interface Audit {
  /** text whose contrast with what is behind it is under WCAG AA (4.5:1, 3:1 for large text) */
  contrast: string[];
  /** form-field borders under 3:1 against their background (WCAG 1.4.11, non-text contrast) */
  fieldBorders: string[];
  /** visible form fields without a label (label element, aria-label or aria-labelledby) */
  unlabeled: string[];
  /** how many pixels the page is wider than the viewport (0 when nothing scrolls sideways) */
  overflowPx: number;
  /** how many text elements were checked, so a broken audit cannot pass by checking nothing */
  checked: number;
}

/**
 * Audits the rendered page in the browser: computed colours, the real background behind each
 * text (walking up through transparent ancestors, blending translucent ones), labels and width.
 * The whole function runs in the page, so it uses nothing from this module's scope.
 */
export function auditPage(page: Page): Promise<Audit> {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const parse = (css: string): RGBA | null => {
      const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
      if (!m) return null;
      const parts = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
      if (parts.length < 3 || parts.some((n) => Number.isNaN(n))) return null;
      return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
    };
    const over = (top: RGBA, bottom: RGBA): RGBA => {
      const a = top[3];
      return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
    };
    const luminance = ([r, g, b]: RGBA) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const ratio = (a: RGBA, b: RGBA) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    /** The opaque colour behind an element: its own and its ancestors' backgrounds, composited. */
    const backdrop = (el: Element): RGBA | null => {
      const layers: RGBA[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (!bg) return null;
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      const canvas: RGBA = matchMedia("(prefers-color-scheme: dark)").matches ? [18, 18, 18, 1] : [255, 255, 255, 1];
      return layers.reduceRight<RGBA>((acc, layer) => over(layer, acc), canvas);
    };
    const visible = (el: Element) => {
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0;
    };
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""} "${(el.textContent ?? "").trim().slice(0, 40)}"`;

    const contrast: string[] = [];
    let checked = 0;
    for (const el of document.body.querySelectorAll("*")) {
      const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== "");
      if (!hasText || !visible(el) || (el as HTMLButtonElement).disabled) continue;
      const style = getComputedStyle(el);
      const svgText = el instanceof SVGElement;
      const fg = parse(svgText ? style.fill : style.color);
      const bg = backdrop(el);
      if (!fg || !bg) {
        contrast.push(`${describe(el)}: colour not readable (${svgText ? style.fill : style.color})`);
        continue;
      }
      checked++;
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      const got = ratio(over(fg, bg), bg);
      if (got < needed) contrast.push(`${describe(el)}: ${got.toFixed(2)}:1 < ${needed}:1 (${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(", ")}))`);
    }

    const fieldBorders: string[] = [];
    const unlabeled: string[] = [];
    for (const field of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")) {
      if (field.type === "hidden" || !visible(field)) continue;
      const named = (field.labels?.length ?? 0) > 0 || field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby");
      if (!named) unlabeled.push(`${field.tagName.toLowerCase()}[name=${field.name}]`);
      if (field.type === "checkbox" || field.type === "radio") continue;
      const border = parse(getComputedStyle(field).borderTopColor);
      const behind = field.parentElement ? backdrop(field.parentElement) : null;
      if (!border || !behind || ratio(over(border, behind), behind) < 3) fieldBorders.push(`${field.tagName.toLowerCase()}[name=${field.name}]`);
    }
    const overflowPx = Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth);
    return { contrast, fieldBorders, unlabeled, overflowPx, checked };
  });
}

/**
 * What a small screen hides: a chart wider than its box, tabs off the screen's edge, tables
 * whose columns are hidden or cut instead of scrolling with their first column kept in view.
 */
export function smallScreenAudit(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    for (const svg of document.querySelectorAll<SVGSVGElement>(".chart svg")) {
      const box = svg.parentElement!.getBoundingClientRect();
      const r = svg.getBoundingClientRect();
      if (r.width > box.width + 0.5 || r.right > vw + 0.5) problems.push(`chart ${Math.round(r.width)}px wide in a ${Math.round(box.width)}px box`);
    }
    const nav = document.querySelector<HTMLElement>("nav.tabs");
    if (nav) {
      const scrolls = nav.scrollWidth > nav.clientWidth + 1;
      const canScroll = ["auto", "scroll"].includes(getComputedStyle(nav).overflowX);
      for (const a of nav.querySelectorAll("a")) {
        const r = a.getBoundingClientRect();
        if (!(scrolls && canScroll) && (r.right > vw + 0.5 || r.left < -0.5)) problems.push(`tab "${a.textContent}" off-screen (${Math.round(r.left)}–${Math.round(r.right)} of ${vw}px)`);
      }
      if (scrolls && !canScroll) problems.push("tabs are cut and do not scroll");
    }
    for (const el of document.querySelectorAll(".bar > *")) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 0.5) problems.push(`top bar item "${(el.textContent ?? "").trim().slice(0, 30)}" runs off-screen`);
    }
    for (const table of document.querySelectorAll("table")) {
      const name = table.querySelector("caption")?.textContent ?? "table";
      const hidden = [...table.querySelectorAll("th")].filter((th) => getComputedStyle(th).display === "none").map((th) => th.textContent);
      if (hidden.length) problems.push(`${name}: columns hidden (${hidden.join(", ")})`);
      const wrap = table.parentElement!;
      const wr = wrap.getBoundingClientRect();
      if (wr.right > vw + 0.5) problems.push(`${name}: its box runs off-screen`);
      if (table.scrollWidth > wrap.clientWidth + 1) {
        if (!["auto", "scroll"].includes(getComputedStyle(wrap).overflowX)) problems.push(`${name}: wider than its box and does not scroll`);
        const first = table.querySelector("tbody tr td:first-child, tbody tr th:first-child");
        if (first && getComputedStyle(first).position !== "sticky") problems.push(`${name}: scrolls, but its first column does not stay in view`);
      }
    }
    return problems;
  });
}
