DROP INDEX `tiers_program_rank_uq`;--> statement-breakpoint
ALTER TABLE `tiers` ADD `archived_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `tiers_program_rank_uq` ON `tiers` (`program_id`,`rank`) WHERE archived_at IS NULL;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `name` text;--> statement-breakpoint
ALTER TABLE `commission_rules` ADD `archived_at` integer;--> statement-breakpoint
-- Before "one active rule per event and tier": an older rule with a newer twin never priced anything new (the newest wins), so archive it.
UPDATE `commission_rules` SET `archived_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
  WHERE EXISTS (SELECT 1 FROM `commission_rules` n WHERE n.program_id = commission_rules.program_id AND n.event = commission_rules.event
    AND coalesce(n.tier_id, '') = coalesce(commission_rules.tier_id, '')
    AND (n.created_at > commission_rules.created_at OR (n.created_at = commission_rules.created_at AND n.id > commission_rules.id)));--> statement-breakpoint
CREATE UNIQUE INDEX `rules_active_uq` ON `commission_rules` (`program_id`,`event`,coalesce(tier_id, '')) WHERE archived_at IS NULL;--> statement-breakpoint
ALTER TABLE `partners` ADD `email_key` text;--> statement-breakpoint
-- The oldest partner of each lower-cased email owns it; later duplicates (from before the rule) keep NULL, which never collides.
UPDATE `partners` SET `email_key` = lower(`email`)
  WHERE NOT EXISTS (SELECT 1 FROM `partners` o WHERE o.program_id = partners.program_id AND lower(o.email) = lower(partners.email)
    AND (o.created_at < partners.created_at OR (o.created_at = partners.created_at AND o.id < partners.id)));--> statement-breakpoint
CREATE UNIQUE INDEX `partners_email_uq` ON `partners` (`program_id`,`email_key`);--> statement-breakpoint
ALTER TABLE `conversions` ADD `cookie_days` integer;--> statement-breakpoint
-- Older conversions did not record their window: today's setting is the best there is.
UPDATE `conversions` SET `cookie_days` = (SELECT p.cookie_days FROM `programs` p WHERE p.id = conversions.program_id);--> statement-breakpoint
ALTER TABLE `commissions` ADD `rule_type` text;--> statement-breakpoint
ALTER TABLE `commissions` ADD `rule_value` integer;--> statement-breakpoint
-- Rules could not be changed before this migration: their current type and value are what priced each commission.
UPDATE `commissions` SET `rule_type` = (SELECT r.type FROM `commission_rules` r WHERE r.id = commissions.rule_id),
  `rule_value` = (SELECT r.value FROM `commission_rules` r WHERE r.id = commissions.rule_id) WHERE `rule_id` IS NOT NULL;--> statement-breakpoint
CREATE INDEX `clicks_link_ts_idx` ON `clicks` (`link_num`,`ts`);
