ALTER TABLE `commission_rules` ADD `duration_months` integer;--> statement-breakpoint
ALTER TABLE `programs` ADD `min_conversion_seconds` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `link_visitors` ADD `clicks` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `conversions` ADD `customer_email_hash` text;--> statement-breakpoint
ALTER TABLE `conversions` ADD `no_commission` text;--> statement-breakpoint
ALTER TABLE `commissions` ADD `flags` text;