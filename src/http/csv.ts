/**
 * A cell that is a number written as a decimal, such as money ("-10.00"): a spreadsheet must
 * read it as a number, so it is never quote-prefixed. Only plain decimals qualify, so nothing
 * a spreadsheet would run can pass as one.
 */
export class CsvNumber {
  constructor(readonly text: string) {
    if (!DECIMAL.test(text)) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`);
  }
}
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A money amount (or any decimal string) as a numeric CSV cell. */
export const csvNumber = (text: string) => new CsvNumber(text);

/** Text, a number (counts, money as CsvNumber) or empty. Only text is ever escaped. */
export type CsvCell = string | number | bigint | CsvNumber | null;

/**
 * A cell of a column the caller declares numeric: a decimal string becomes a number cell, any
 * other string stays text (and is escaped like text).
 */
export function numericCell(v: CsvCell): CsvCell {
  return typeof v === "string" && DECIMAL.test(v) ? new CsvNumber(v) : v;
}

/** One cell: text quote-prefixed when a spreadsheet would run it as a formula; numbers as they are. */
function csvCell(v: CsvCell): string {
  if (v === null) return "";
  if (v instanceof CsvNumber) return v.text;
  if (typeof v !== "string") return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record with its CRLF. */
export const csvLine = (row: CsvCell[]) => row.map(csvCell).join(",") + "\r\n";

/**
 * RFC 4180 CSV. Text cells that a spreadsheet would run as formulas (=, +, -, @, tab, CR first)
 * are prefixed with a quote; numbers are written as they are, so "-10.00" still sums.
 */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map(csvLine).join("");
}

const HEADERS = (filename: string) => ({ "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" });

/**
 * A CSV export of every matching row, streamed: `pages` yields the rows a page at a time (a
 * keyset page of the list, see db/queries/pagination eachPage), and each page is written as it
 * comes, so an export of 100,000 rows never sits in memory whole and never stops at one page.
 */
export function csvStream(header: string[], pages: AsyncIterable<CsvCell[][]>, filename: string): Response {
  const encoder = new TextEncoder();
  const it = pages[Symbol.asyncIterator]();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine(header)));
        return;
      }
      const next = await it.next();
      if (next.done) controller.close();
      else if (next.value.length) controller.enqueue(encoder.encode(next.value.map(csvLine).join("")));
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(body, { status: 200, headers: HEADERS(filename) });
}

export function csvResponse(body: string, filename: string): Response {
  return new Response(body, { status: 200, headers: HEADERS(filename) });
}
