-- Program-wide rollup rows (partner_num = -1) for country, device and sub1, so that a report of
-- the whole program by one of them reads one row per key and day instead of one per partner.
-- From now on the click and conversion rollups keep them; this builds them for what exists.
-- (The same statement as ALL_PARTNERS_BACKFILL in src/db/queries/stats.ts.)
INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks, conversions, revenue, commission)
  SELECT program_num, dim, day, -1, key, sum(clicks), sum(unique_clicks), sum(bot_clicks), sum(conversions), sum(revenue), sum(commission)
  FROM daily_stats WHERE dim IN ('country', 'device', 'sub1') AND partner_num <> -1
  GROUP BY program_num, dim, day, key
  ON CONFLICT (program_num, dim, day, partner_num, key) DO NOTHING;
