PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_appliances` (
	`hub_id` text NOT NULL,
	`appliance_id` text NOT NULL,
	`customer_id` text,
	`type` text NOT NULL,
	`model` text,
	`serial` text,
	`installed_at` integer,
	`warranty_until` integer,
	`created_at` integer NOT NULL,
	`last_seen_at` integer,
	PRIMARY KEY(`hub_id`, `appliance_id`)
);
--> statement-breakpoint
INSERT INTO `__new_appliances`("hub_id", "appliance_id", "customer_id", "type", "model", "serial", "installed_at", "warranty_until", "created_at", "last_seen_at") SELECT "hub_id", "appliance_id", "customer_id", "type", "model", "serial", "installed_at", "warranty_until", "created_at", "last_seen_at" FROM `appliances`;--> statement-breakpoint
DROP TABLE `appliances`;--> statement-breakpoint
ALTER TABLE `__new_appliances` RENAME TO `appliances`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `appliances_customer` ON `appliances` (`customer_id`);--> statement-breakpoint
DROP INDEX `alarms_appliance`;--> statement-breakpoint
CREATE INDEX `alarms_appliance` ON `alarms` (`hub_id`,`appliance_id`);--> statement-breakpoint
DROP INDEX `telemetry_appliance_at`;--> statement-breakpoint
CREATE INDEX `telemetry_appliance_at` ON `telemetry` (`hub_id`,`appliance_id`,`at`);--> statement-breakpoint
DROP INDEX `tickets_dedupe`;--> statement-breakpoint
CREATE INDEX `tickets_dedupe` ON `tickets` (`hub_id`,`appliance_id`,`fault_class`,`status`);