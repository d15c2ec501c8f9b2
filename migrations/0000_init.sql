CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`kind` text NOT NULL,
	`vendor_id` text NOT NULL,
	`program_id` text,
	`partner_id` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`vendor_id`) REFERENCES `vendors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_vendor_idx` ON `api_keys` (`vendor_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `vendors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `commission_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`tier_id` text,
	`event` text NOT NULL,
	`type` text NOT NULL,
	`value` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rules_program_event_idx` ON `commission_rules` (`program_id`,`event`,`created_at`);--> statement-breakpoint
CREATE TABLE `programs` (
	`id` text PRIMARY KEY NOT NULL,
	`num` integer NOT NULL,
	`vendor_id` text NOT NULL,
	`name` text NOT NULL,
	`currency` text NOT NULL,
	`cookie_days` integer NOT NULL,
	`attribution` text NOT NULL,
	`hold_days` integer NOT NULL,
	`allowed_domains` text NOT NULL,
	`click_param` text NOT NULL,
	`min_payout` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`vendor_id`) REFERENCES `vendors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `programs_num_unique` ON `programs` (`num`);--> statement-breakpoint
CREATE INDEX `programs_vendor_idx` ON `programs` (`vendor_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `tiers` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`rank` integer NOT NULL,
	`metric` text NOT NULL,
	`threshold` integer NOT NULL,
	`window_days` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tiers_program_rank_uq` ON `tiers` (`program_id`,`rank`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`num` integer NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`tier_id` text NOT NULL,
	`coupon` text,
	`coupon_key` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_num_unique` ON `partners` (`num`);--> statement-breakpoint
CREATE INDEX `partners_program_idx` ON `partners` (`program_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `partners_coupon_uq` ON `partners` (`program_id`,`coupon_key`);--> statement-breakpoint
CREATE TABLE `link_click_counts` (
	`link_num` integer PRIMARY KEY NOT NULL,
	`clicks` integer NOT NULL,
	`bot_clicks` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `links` (
	`id` text PRIMARY KEY NOT NULL,
	`num` integer NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`slug` text NOT NULL,
	`destination` text NOT NULL,
	`allow_deep_links` integer NOT NULL,
	`archived` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `links_num_unique` ON `links` (`num`);--> statement-breakpoint
CREATE UNIQUE INDEX `links_slug_unique` ON `links` (`slug`);--> statement-breakpoint
CREATE INDEX `links_program_idx` ON `links` (`program_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `links_partner_idx` ON `links` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `clicks` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`ts` integer NOT NULL,
	`program_num` integer NOT NULL,
	`link_num` integer NOT NULL,
	`partner_num` integer NOT NULL,
	`bot` integer NOT NULL,
	`browser` text,
	`os` text,
	`device` text NOT NULL,
	`country` text,
	`referrer_host` text,
	`sub1` text,
	`sub2` text,
	`sub3` text,
	`sub4` text,
	`sub5` text,
	`visitor` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clicks_id_unique` ON `clicks` (`id`);--> statement-breakpoint
CREATE TABLE `cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `link_visitors` (
	`link_num` integer NOT NULL,
	`day` integer NOT NULL,
	`visitor` integer NOT NULL,
	`first_seq` integer NOT NULL,
	PRIMARY KEY(`link_num`, `day`, `visitor`)
);
--> statement-breakpoint
CREATE TABLE `conversions` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`event` text NOT NULL,
	`order_id` text NOT NULL,
	`amount` integer NOT NULL,
	`refunded` integer NOT NULL,
	`currency` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`partner_id` text,
	`link_id` text,
	`click_id` text,
	`click_ts` integer,
	`via` text,
	`model` text NOT NULL,
	`country` text,
	`device` text,
	`sub1` text,
	`partner_num` integer,
	`link_num` integer,
	`customer_id` text,
	`coupon` text,
	`occurred_at` integer NOT NULL,
	`change_token` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversions_key_uq` ON `conversions` (`program_id`,`event`,`order_id`);--> statement-breakpoint
CREATE INDEX `conversions_program_idx` ON `conversions` (`program_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `conversions_partner_idx` ON `conversions` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `conversions_customer_idx` ON `conversions` (`program_id`,`customer_id`,`click_ts`);--> statement-breakpoint
CREATE INDEX `conversions_occurred_idx` ON `conversions` (`program_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `customers` (
	`program_id` text NOT NULL,
	`external_id` text NOT NULL,
	`first_partner_id` text NOT NULL,
	`first_at` integer NOT NULL,
	`last_partner_id` text NOT NULL,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_key_uq` ON `customers` (`program_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`program_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`response` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_key_uq` ON `idempotency_keys` (`program_id`,`key`);--> statement-breakpoint
CREATE TABLE `adjustments` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`commission_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`payout_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `adjustments_partner_idx` ON `adjustments` (`partner_id`,`payout_id`);--> statement-breakpoint
CREATE TABLE `commissions` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`conversion_id` text NOT NULL,
	`rule_id` text,
	`tier_id` text,
	`amount` integer NOT NULL,
	`original_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`available_at` integer NOT NULL,
	`payout_id` text,
	`change_token` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversion_id`) REFERENCES `conversions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `commissions_conversion_uq` ON `commissions` (`conversion_id`);--> statement-breakpoint
CREATE INDEX `commissions_program_status_idx` ON `commissions` (`program_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `commissions_partner_idx` ON `commissions` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `commissions_due_idx` ON `commissions` (`program_id`,`available_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `commissions_payout_idx` ON `commissions` (`payout_id`);--> statement-breakpoint
CREATE TABLE `daily_stats` (
	`program_num` integer NOT NULL,
	`dim` text NOT NULL,
	`day` integer NOT NULL,
	`partner_num` integer NOT NULL,
	`key` text NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`bot_clicks` integer DEFAULT 0 NOT NULL,
	`conversions` integer DEFAULT 0 NOT NULL,
	`revenue` integer DEFAULT 0 NOT NULL,
	`commission` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_num`, `dim`, `day`, `partner_num`, `key`)
);
--> statement-breakpoint
CREATE TABLE `payout_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`currency` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payout_batches_program_idx` ON `payout_batches` (`program_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`commission_count` integer NOT NULL,
	`status` text NOT NULL,
	`paid_at` integer,
	`change_token` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payouts_batch_idx` ON `payouts` (`batch_id`);--> statement-breakpoint
CREATE INDEX `payouts_partner_idx` ON `payouts` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `tier_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`from_tier_id` text,
	`to_tier_id` text NOT NULL,
	`metric_value` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tier_changes_partner_idx` ON `tier_changes` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`hash` text PRIMARY KEY NOT NULL,
	`area` text NOT NULL,
	`vendor_id` text NOT NULL,
	`program_id` text,
	`partner_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `sign_in_links` (
	`hash` text PRIMARY KEY NOT NULL,
	`vendor_id` text NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `sign_in_links_partner_idx` ON `sign_in_links` (`partner_id`);