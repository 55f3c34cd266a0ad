CREATE TABLE `fleet_alerts` (
	`alert_id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`fault_code` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`affected` integer NOT NULL,
	`baseline_per_hour_milli` integer NOT NULL,
	`window_ms` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fleet_alerts_open` ON `fleet_alerts` (`model`,`fault_code`,`status`);--> statement-breakpoint
ALTER TABLE `customers` ADD `phone_invalid_at` integer;