/**
 * What a management use-case answers instead of throwing HTTP errors: the HTTP layer maps
 * `invalid` to 400, `not_found` to 404 and `conflict` to 409 (see http/api/outcome.ts).
 */
export type Outcome<T> =
  | { kind: "ok"; value: T }
  | { kind: "invalid"; path: string; message: string }
  | { kind: "not_found"; what: string }
  | { kind: "conflict"; message: string };

export const ok = <T>(value: T): Outcome<T> => ({ kind: "ok", value });
export const invalidInput = (path: string, message: string) => ({ kind: "invalid", path, message }) as const;
export const missing = (what: string) => ({ kind: "not_found", what }) as const;
export const conflict = (message: string) => ({ kind: "conflict", message }) as const;
