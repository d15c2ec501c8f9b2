import { describe, expect, it } from "vitest";
import { Fmt } from "../../dashboard/format";

describe("compact money on chart axes", () => {
  it("drops needless decimals and follows the viewer's locale", () => {
    expect([0, 50_000, 100_000, 250_000, 1_234_567].map((v) => Fmt.for("en-US", "USD").mShort(v))).toEqual(["$0", "$500", "$1K", "$2.5K", "$12.3K"]);
    expect(Fmt.for("de-DE", "EUR").mShort(50_000)).toBe("500\u00a0€");
  });
});
