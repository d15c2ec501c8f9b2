import { createHash, randomFillSync } from "node:crypto";
import { sipHash, sipKey, type SipKey } from "./siphash";

/**
 * Click ids carry everything attribution needs, so a conversion can be attributed before
 * (or without) reading the click row, and a forged id is recognised by its MAC.
 *
 * Layout (bytes, then base64url):
 *   [0]      version (high nibble) | flags (bit 0 = bot)
 *   [1..6]   click time, ms since epoch, big-endian 48 bit (ids sort roughly by time,
 *            which keeps inserts into the clicks primary key near the end of the b-tree)
 *   [7..14]  64 random bits: unique without coordination between processes/isolates
 *            (at 100k clicks/s the chance of any collision in a year is ~1e-5)
 *   varint   program, link, partner numbers (each < 2^28, so at most 4 bytes)
 *   [-8..]   SipHash-2-4 tag of all previous bytes, keyed from the server secret (64 bits;
 *            forging one takes ~2^63 online guesses)
 * Typical length 35 characters, never more than 47.
 */
export interface ClickIdFields {
  programNum: number;
  linkNum: number;
  partnerNum: number;
  /** click time in ms since the epoch */
  ts: number;
  bot: boolean;
}

const VERSION = 1;
const MAC_BYTES = 8;
const RANDOM_BYTES = 8;
const MAX_NUM = 2 ** 28;
export const MAX_CLICK_ID_LENGTH = 48;

// Drawing from a refilled pool is far cheaper than a randomBytes() call per click.
const pool = Buffer.alloc(RANDOM_BYTES * 512);
let poolOffset = pool.length;

function takeRandom(target: Buffer, at: number): void {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(target, at, poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
}

function writeVarint(buf: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

function readVarint(buf: Buffer, at: number): [value: number, next: number] | null {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (at >= buf.length) return null;
    const byte = buf[at++]!;
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value >>> 0, at];
  }
  return null;
}

const keys = new Map<string, SipKey>();

/** The MAC key: derived from the secret once (per secret) with a purpose label. */
function macKey(secret: string): SipKey {
  let key = keys.get(secret);
  if (!key) {
    key = sipKey(createHash("sha256").update(`afflux click id\n${secret}`).digest());
    keys.set(secret, key);
  }
  return key;
}

function writeMac(secret: string, buf: Buffer, length: number): void {
  const [lo, hi] = sipHash(macKey(secret), buf, length);
  buf.writeUInt32LE(lo, length);
  buf.writeUInt32LE(hi, length + 4);
}

function checkNum(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n >= MAX_NUM) throw new RangeError(`${name} out of range: ${n}`);
}

/** Issues a new signed click id. `secret` is the server's AFFLUX_SECRET. */
export function issueClickId(fields: ClickIdFields, secret: string): string {
  checkNum("programNum", fields.programNum);
  checkNum("linkNum", fields.linkNum);
  checkNum("partnerNum", fields.partnerNum);
  const buf = Buffer.allocUnsafe(1 + 6 + RANDOM_BYTES + 12 + MAC_BYTES);
  buf[0] = (VERSION << 4) | (fields.bot ? 1 : 0);
  buf.writeUIntBE(fields.ts, 1, 6);
  takeRandom(buf, 7);
  let at = 7 + RANDOM_BYTES;
  at = writeVarint(buf, at, fields.programNum);
  at = writeVarint(buf, at, fields.linkNum);
  at = writeVarint(buf, at, fields.partnerNum);
  writeMac(secret, buf, at);
  return buf.toString("base64url", 0, at + MAC_BYTES);
}

const CLICK_ID_SHAPE = /^[A-Za-z0-9_-]{20,48}$/;

/** Verifies and decodes a click id; null when malformed, forged or altered. */
export function verifyClickId(id: string, secret: string): ClickIdFields | null {
  if (typeof id !== "string" || !CLICK_ID_SHAPE.test(id)) return null;
  const buf = Buffer.from(id, "base64url");
  // Reject non-canonical encodings so one click has exactly one id string.
  if (buf.toString("base64url") !== id) return null;
  if (buf.length < 1 + 6 + RANDOM_BYTES + 3 + MAC_BYTES) return null;
  if (buf[0]! >> 4 !== VERSION) return null;
  const bodyLength = buf.length - MAC_BYTES;
  const [lo, hi] = sipHash(macKey(secret), buf, bodyLength);
  // Both halves compared without short-circuit, so timing does not reveal a matching half.
  if (((buf.readUInt32LE(bodyLength) ^ lo) | (buf.readUInt32LE(bodyLength + 4) ^ hi)) !== 0) return null;
  const body = buf.subarray(0, bodyLength);
  const program = readVarint(body, 7 + RANDOM_BYTES);
  if (!program) return null;
  const link = readVarint(body, program[1]);
  if (!link) return null;
  const partner = readVarint(body, link[1]);
  if (!partner || partner[1] !== body.length) return null;
  return {
    bot: (buf[0]! & 1) === 1,
    ts: buf.readUIntBE(1, 6),
    programNum: program[0],
    linkNum: link[0],
    partnerNum: partner[0],
  };
}
