// Test-only typing: under @types/node, `Response#json()` resolves to `unknown`, which makes every
// `await res.json()` in the HTTP tests (and in test/helpers/app.ts) a type error under strict mode.
// The tests assert response shapes at run time, so `any` is the honest type here.
export {};
declare global {
  interface Response {
    json(): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
}
