DROP INDEX `conversions_occurred_idx`;--> statement-breakpoint
CREATE INDEX `conversions_occurred_idx` ON `conversions` (`program_id`,`occurred_at`,`status`,`partner_id`,`amount`,`refunded`);