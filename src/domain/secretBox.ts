/**
 * Sealing of third-party secrets that must stay usable (a Stripe webhook signing secret verifies
 * every event) yet are never stored in plain text nor shown again. AES-256-GCM through WebCrypto,
 * so the same code runs in Node and workerd; the key is derived from the server secret with HKDF
 * (one derived key per purpose), and the program id is bound as additional data, so a sealed value
 * copied onto another program's row does not open.
 *
 * Format: `v1.<iv>.<ciphertext+tag>`, both base64url.
 *
 * @example
 *   const sealed = await sealSecret(serverSecret, "stripe-webhook", programId, "whsec_…");
 *   const plain = await openSecret(serverSecret, "stripe-webhook", programId, sealed); // "whsec_…" or null
 */
const enc = new TextEncoder();
const dec = new TextDecoder();

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
function fromB64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

const keys = new Map<string, Promise<CryptoKey>>();
function keyFor(serverSecret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\u0000${serverSecret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", enc.encode(serverSecret), "HKDF", false, ["deriveKey"])
      .then((base) => crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: enc.encode("afflux secret box v1"), info: enc.encode(purpose) },
        base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"],
      ));
    keys.set(id, key);
  }
  return key;
}

export async function sealSecret(serverSecret: string, purpose: string, boundTo: string, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await keyFor(serverSecret, purpose);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(boundTo) }, key, enc.encode(plain)));
  return `v1.${b64url(iv)}.${b64url(sealed)}`;
}

/** The plain secret, or null when the value was not sealed for this purpose and owner with this server secret. */
export async function openSecret(serverSecret: string, purpose: string, boundTo: string, sealed: string): Promise<string | null> {
  const [version, ivText, dataText] = sealed.split(".");
  const iv = ivText ? fromB64url(ivText) : null;
  const data = dataText ? fromB64url(dataText) : null;
  if (version !== "v1" || !iv || iv.length !== 12 || !data) return null;
  try {
    const key = await keyFor(serverSecret, purpose);
    return dec.decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: enc.encode(boundTo) }, key, data));
  } catch {
    return null; // wrong key, wrong owner or tampered: GCM's tag does not match
  }
}
