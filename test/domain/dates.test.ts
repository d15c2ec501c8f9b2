import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxDateMs, MIN_DATE_MS, parseIsoDay, parseIsoTimestamp } from "../../src/domain/dates";

const NOW = Date.UTC(2026, 2, 10, 12);
const ms = (r: ReturnType<typeof parseIsoDay>) => (r.ok ? r.ms : `refused: ${r.message}`);

describe("parseIsoDay", () => {
  it.each([
    ["2026-02-28", Date.UTC(2026, 1, 28)],
    ["2028-02-29", Date.UTC(2028, 1, 29)],
    ["2000-02-29", Date.UTC(2000, 1, 29)],
    ["2000-01-01", MIN_DATE_MS],
    ["2126-03-10", Date.UTC(2126, 2, 10)],
  ])("%s is a day", (text, expected) => {
    expect(ms(parseIsoDay(text, NOW))).toBe(expected);
  });

  it.each([
    ["2026-02-30", /has no day 30/],
    ["2026-02-29", /has no day 29/],
    ["2100-02-29", /has no day 29/],
    ["2026-04-31", /has no day 31/],
    ["2026-01-00", /has no day 00/],
    ["2026-13-01", /no month 13/],
    ["2026-00-10", /no month 00/],
    ["1999-12-31", /before 2000-01-01/],
    ["2126-03-11", /100 years/],
    ["9999-12-31", /100 years/],
    ["2026-3-1", /YYYY-MM-DD/],
    ["2026-03-01T00:00:00Z", /YYYY-MM-DD/],
    [" 2026-03-01", /YYYY-MM-DD/],
    ["", /YYYY-MM-DD/],
  ])("refuses %j", (text, message) => {
    const r = parseIsoDay(text, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe("parseIsoTimestamp", () => {
  it.each([
    ["2026-03-01T12:34:56Z", Date.UTC(2026, 2, 1, 12, 34, 56)],
    ["2026-03-01T12:34:56.789Z", Date.UTC(2026, 2, 1, 12, 34, 56, 789)],
    ["2026-03-01T12:34:56.789123456z", Date.UTC(2026, 2, 1, 12, 34, 56, 789)],
    ["2026-03-01T12:34:56+02:00", Date.UTC(2026, 2, 1, 10, 34, 56)],
    ["2026-03-01T00:30:00-05:30", Date.UTC(2026, 2, 1, 6, 0, 0)],
    ["2026-03-01T12:34", Date.UTC(2026, 2, 1, 12, 34)],
    ["2026-03-01", Date.UTC(2026, 2, 1)],
  ])("%s", (text, expected) => {
    expect(ms(parseIsoTimestamp(text, NOW))).toBe(expected);
  });

  it.each([
    "2026-02-30T10:00:00Z", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T12:60:00Z",
    "2026-03-01T12:00:60Z", "2026-03-01T12:00:00+24:00", "2026-03-01T12:00:00+01:60", "1999-12-31T23:59:59Z",
    "2000-01-01T00:30:00+01:00", "2200-01-01T00:00:00Z", "yesterday", "1", "March 7, 2026", "2026-03-01 12:00:00Z",
    "2026-03-01T12:00:00.Z", "2026-03-01T12:00:00ZZ", "+2026-03-01T00:00:00Z",
  ])("refuses %j", (text) => {
    expect(parseIsoTimestamp(text, NOW).ok).toBe(false);
  });

  it("exact: the time and the zone are required", () => {
    expect(parseIsoTimestamp("2026-03-01", NOW, { exact: true }).ok).toBe(false);
    expect(parseIsoTimestamp("2026-03-01T12:00:00", NOW, { exact: true }).ok).toBe(false);
    expect(ms(parseIsoTimestamp("2026-03-01T12:00:00Z", NOW, { exact: true }))).toBe(Date.UTC(2026, 2, 1, 12));
  });

  it("the upper bound is the same moment 100 years later", () => {
    expect(maxDateMs(NOW)).toBe(Date.UTC(2126, 2, 10, 12));
    expect(parseIsoTimestamp("2126-03-10T12:00:00Z", NOW).ok).toBe(true);
    expect(parseIsoTimestamp("2126-03-10T12:00:00.001Z", NOW).ok).toBe(false);
  });
});

describe("properties", () => {
  const inRange = fc.date({ min: new Date(MIN_DATE_MS), max: new Date(maxDateMs(NOW)), noInvalidDate: true });

  it("every instant in range round-trips through its ISO string (and its day through YYYY-MM-DD)", () => {
    fc.assert(fc.property(inRange, (d) => {
      const iso = d.toISOString();
      expect(ms(parseIsoTimestamp(iso, NOW, { exact: true }))).toBe(d.getTime());
      const day = iso.slice(0, 10);
      expect(ms(parseIsoDay(day, NOW))).toBe(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    }), { numRuns: 2000 });
  });

  it("a day of month past the month's end is refused, never rolled over", () => {
    const overflow = fc.record({ year: fc.integer({ min: 2000, max: 2125 }), month: fc.integer({ min: 1, max: 12 }), extra: fc.integer({ min: 1, max: 70 }) })
      .map(({ year, month, extra }) => {
        const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
        return { year, month, day: Math.min(last + extra, 99) };
      });
    fc.assert(fc.property(overflow, ({ year, month, day }) => {
      const text = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
      expect(parseIsoDay(text, NOW).ok).toBe(false);
      expect(parseIsoTimestamp(`${text}T00:00:00Z`, NOW).ok).toBe(false);
    }), { numRuns: 2000 });
  });

  it("an offset moves the instant by exactly that much", () => {
    const offset = fc.record({ sign: fc.constantFrom("+", "-"), h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) });
    fc.assert(fc.property(fc.date({ min: new Date(Date.UTC(2001, 0, 1)), max: new Date(Date.UTC(2120, 0, 1)), noInvalidDate: true }), offset, (d, o) => {
      const local = d.toISOString().slice(0, 19);
      const zone = `${o.sign}${String(o.h).padStart(2, "0")}:${String(o.m).padStart(2, "0")}`;
      const shift = (o.sign === "-" ? 1 : -1) * (o.h * 60 + o.m) * 60_000;
      expect(ms(parseIsoTimestamp(`${local}${zone}`, NOW))).toBe(Date.parse(`${local}Z`) + shift);
    }), { numRuns: 1000 });
  });
});
