import { describe, expect, it } from "vitest";
import { sipHash, sipKey } from "../../src/domain/siphash";

// Reference outputs for key 00..0f and message 00..n-1 (from the SipHash paper's vectors,
// cross-checked with `openssl mac SIPHASH`), as little-endian hex.
const VECTORS: Record<number, string> = {
  0: "310e0edd47db6f72", 1: "fd67dc93c539f874", 2: "5a4fa9d909806c0d", 7: "37d1018bf50002ab", 8: "6224939a79f5f593",
  9: "b0e4a90bdf82009e", 15: "e545be4961ca29a1", 16: "db9bc2577fcc2a3f", 17: "9447be2cf5e99a69", 63: "724506eb4c328a95",
};

describe("SipHash-2-4", () => {
  const key = sipKey(Uint8Array.from({ length: 16 }, (_, i) => i));
  it.each(Object.entries(VECTORS))("matches the reference for a %s-byte message", (n, hex) => {
    const [lo, hi] = sipHash(key, Uint8Array.from({ length: Number(n) }, (_, i) => i));
    const out = Buffer.alloc(8);
    out.writeUInt32LE(lo, 0);
    out.writeUInt32LE(hi, 4);
    expect(out.toString("hex")).toBe(hex);
  });
  it("hashes only the given length of a larger buffer", () => {
    const data = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(sipHash(key, data, 15)).toEqual(sipHash(key, data.subarray(0, 15)));
  });
  it("rejects short keys", () => {
    expect(() => sipKey(new Uint8Array(8))).toThrow(RangeError);
  });
});
