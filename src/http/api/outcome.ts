import type { Outcome } from "../../services/outcome";
import { ApiError, invalid, notFound } from "../errors";

/** The value of a use-case's outcome, or the contract's error for it. */
export function unwrap<T>(outcome: Outcome<T>): T {
  switch (outcome.kind) {
    case "ok": return outcome.value;
    case "invalid": throw invalid(outcome.path, outcome.message);
    case "not_found": throw notFound(outcome.what);
    case "conflict": throw new ApiError("conflict", outcome.message);
  }
}
