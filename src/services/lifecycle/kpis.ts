import type { Db } from "../../db/client";
import { applicationFacts, partnerJourney } from "../../db/queries/journey";
import type { ProgramRow } from "../../db/queries/programs";
import { DAY_MS } from "../../domain/dates";
import { perPartner, programKpis } from "../../domain/kpis";
import { formatMoney } from "../../domain/money";
import { buildReport } from "../prm/report";
import { satisfactionCounts } from "../../db/queries/satisfaction";
import { npsOf } from "../../domain/satisfaction";

/**
 * The program KPIs for the UTC days [fromDay, toDay] (CONTRACT-PRM §1): journey facts of every
 * partner in one pass over the program's attributed conversions, the period's applications,
 * the report's revenue total (from the daily rollup) and the satisfaction answers of the period. Money in the program's currency.
 */
export async function programKpiReport(db: Db, program: ProgramRow, fromDay: number, toDay: number, now: number) {
  const period = { from: fromDay * DAY_MS, to: (toDay + 1) * DAY_MS };
  const [partners, apps, report, scores] = await Promise.all([
    partnerJourney(db, program.id, now, { period }),
    applicationFacts(db, program.id, period),
    buildReport(db, { programNum: program.num, fromDay, toDay, groupBy: "day" }),
    satisfactionCounts(db, program.id, period),
  ]);
  const k = programKpis({ ...period, partners, applications: apps.submitted, pendingNow: apps.pendingNow });
  const revenue = report.totals.revenue;
  const per = perPartner(revenue, k.partners.active);
  return {
    ...k,
    partnerSourcedRevenue: formatMoney(revenue, program.currency),
    revenuePerActivePartner: per === null ? null : formatMoney(per, program.currency),
    // the partners' quarterly answers given in the period
    satisfaction: { responses: scores.responses, nps: npsOf(scores) },
    currency: program.currency,
  };
}
