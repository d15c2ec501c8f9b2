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

/**
 * RFC 4180 CSV. Text cells that a spreadsheet would run as formulas (=, +, -, @, tab, CR first)
 * are prefixed with a quote; numbers are written as they are, so "-10.00" still sums.
 */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  const cell = (v: CsvCell) => {
    if (v === null) return "";
    if (v instanceof CsvNumber) return v.text;
    if (typeof v !== "string") return String(v);
    const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function csvResponse(body: string, filename: string): Response {
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"` },
  });
}
