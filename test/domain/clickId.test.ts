import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { issueClickId, MAX_CLICK_ID_LENGTH, verifyClickId } from "../../src/domain/clickId";

const SECRET = "secret-for-click-ids-0123456789";
const fields = { programNum: 12, linkNum: 3456, partnerNum: 789, ts: Date.UTC(2026, 10, 22, 10, 0, 0, 123), bot: false };

describe("click ids", () => {
  it("decode to what was signed, without a database", () => {
    const id = issueClickId(fields, SECRET);
    expect(verifyClickId(id, SECRET)).toEqual(fields);
    expect(verifyClickId(issueClickId({ ...fields, bot: true }, SECRET), SECRET)?.bot).toBe(true);
  });

  it("are URL-safe and at most 48 characters even for the largest numbers", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 28 - 1 }), fc.integer({ min: 0, max: 2 ** 28 - 1 }), fc.integer({ min: 0, max: 2 ** 28 - 1 }),
        fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.boolean(),
        (programNum, linkNum, partnerNum, ts, bot) => {
          const id = issueClickId({ programNum, linkNum, partnerNum, ts, bot }, SECRET);
          expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(id.length).toBeLessThanOrEqual(MAX_CLICK_ID_LENGTH);
          expect(verifyClickId(id, SECRET)).toEqual({ programNum, linkNum, partnerNum, ts, bot });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reject any single altered character, another secret, truncation and junk", () => {
    const id = issueClickId(fields, SECRET);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let i = 0; i < id.length; i++) {
      const other = alphabet[(alphabet.indexOf(id[i]!) + 1) % alphabet.length]!;
      expect(verifyClickId(id.slice(0, i) + other + id.slice(i + 1), SECRET)).toBeNull();
    }
    expect(verifyClickId(id, "another-secret-0123456789")).toBeNull();
    expect(verifyClickId(id.slice(0, -1), SECRET)).toBeNull();
    for (const junk of ["", "abc", "x".repeat(49), `${id}=`, "../../etc", "EAGi CZSh"]) expect(verifyClickId(junk, SECRET)).toBeNull();
  });

  it("are unique across many ids issued in the same millisecond", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(issueClickId(fields, SECRET));
    expect(ids.size).toBe(100_000);
  });

  it("refuse numbers that do not fit", () => {
    expect(() => issueClickId({ ...fields, linkNum: 2 ** 28 }, SECRET)).toThrow(RangeError);
    expect(() => issueClickId({ ...fields, programNum: -1 }, SECRET)).toThrow(RangeError);
  });
});
