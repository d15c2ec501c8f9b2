// What a bench part returns; index.ts merges `metrics` and `targets` of every part it runs.
export interface PartResult {
  metrics: Record<string, unknown>; // keys of the closing JSON line
  targets: Record<string, boolean>; // merged into `targets_met`
  table: string; // human-readable summary, printed to stdout before the JSON
  failures: string[]; // non-empty → npm run bench exits non-zero
}
export type Part = () => Promise<PartResult>;
