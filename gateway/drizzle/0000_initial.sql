CREATE TABLE `alarm_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alarm_key` text NOT NULL,
	`transition` text NOT NULL,
	`at` integer NOT NULL,
	`count` integer NOT NULL,
	`level` integer DEFAULT 0 NOT NULL,
	`rule_id` text NOT NULL,
	`hub_id` text NOT NULL,
	`appliance_id` text,
	`event` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alarm_events_identity` ON `alarm_events` (`alarm_key`,`transition`,`at`,`count`,`level`);--> statement-breakpoint
CREATE INDEX `alarm_events_at` ON `alarm_events` (`at`);--> statement-breakpoint
CREATE TABLE `alarms` (
	`alarm_key` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`rule_version` integer NOT NULL,
	`hub_id` text NOT NULL,
	`appliance_id` text,
	`key` text NOT NULL,
	`status` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`count` integer NOT NULL,
	`level` integer DEFAULT 0 NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`ticket_id` text
);
--> statement-breakpoint
CREATE INDEX `alarms_status` ON `alarms` (`status`,`last_seen`);--> statement-breakpoint
CREATE INDEX `alarms_appliance` ON `alarms` (`appliance_id`);--> statement-breakpoint
CREATE TABLE `appliances` (
	`appliance_id` text PRIMARY KEY NOT NULL,
	`hub_id` text NOT NULL,
	`customer_id` text,
	`type` text NOT NULL,
	`model` text,
	`serial` text,
	`installed_at` integer,
	`warranty_until` integer,
	`created_at` integer NOT NULL,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE INDEX `appliances_hub` ON `appliances` (`hub_id`);--> statement-breakpoint
CREATE INDEX `appliances_customer` ON `appliances` (`customer_id`);--> statement-breakpoint
CREATE TABLE `checkpoints` (
	`name` text PRIMARY KEY NOT NULL,
	`pos` integer NOT NULL,
	`at` integer NOT NULL,
	`snapshot` text
);
--> statement-breakpoint
CREATE TABLE `customers` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`phone` text NOT NULL,
	`email` text,
	`address` text DEFAULT '' NOT NULL,
	`region` text DEFAULT '' NOT NULL,
	`language` text DEFAULT 'en' NOT NULL,
	`channel` text DEFAULT 'voice' NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`quiet_start` text,
	`quiet_end` text,
	`consent_repair` integer DEFAULT true NOT NULL,
	`consent_food` integer DEFAULT true NOT NULL,
	`consent_marketing` integer DEFAULT false NOT NULL,
	`daily_cap` integer DEFAULT 3 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customers_phone` ON `customers` (`phone`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`hub_id` text,
	`client_id` text,
	`topic` text NOT NULL,
	`reason` text NOT NULL,
	`errors` text NOT NULL,
	`payload` blob
);
--> statement-breakpoint
CREATE INDEX `dead_letters_hub` ON `dead_letters` (`hub_id`,`id`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` text NOT NULL,
	`at` integer NOT NULL,
	`status` integer,
	`error` text,
	`duration_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_task` ON `delivery_attempts` (`task_id`);--> statement-breakpoint
CREATE TABLE `hubs` (
	`hub_id` text PRIMARY KEY NOT NULL,
	`password_hash` text NOT NULL,
	`customer_id` text,
	`created_at` integer NOT NULL,
	`rotated_at` integer,
	`revoked_at` integer,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE TABLE `journal` (
	`pos` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`hub_id` text NOT NULL,
	`appliance_id` text,
	`kind` text NOT NULL,
	`seq` integer,
	`device_ts` integer,
	`payload` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `journal_appliance` ON `journal` (`appliance_id`,`pos`);--> statement-breakpoint
CREATE INDEX `journal_received` ON `journal` (`received_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`task_id` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`ticket_id` text,
	`customer_id` text,
	`hub_id` text NOT NULL,
	`appliance_id` text,
	`channel` text NOT NULL,
	`urgency` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`last_status` integer,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	`outcome` text,
	`outcome_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_customer` ON `outbox` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rule_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`author` text NOT NULL,
	`message` text NOT NULL,
	`created_at` integer NOT NULL,
	`rules` text NOT NULL,
	`diff` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `telemetry` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`appliance_id` text NOT NULL,
	`hub_id` text NOT NULL,
	`at` integer NOT NULL,
	`device_ts` integer NOT NULL,
	`metrics` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `telemetry_appliance_at` ON `telemetry` (`appliance_id`,`at`);--> statement-breakpoint
CREATE TABLE `ticket_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` text NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	`type` text NOT NULL,
	`from_status` text,
	`to_status` text,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `ticket_events_ticket` ON `ticket_events` (`ticket_id`,`id`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`hub_id` text NOT NULL,
	`appliance_id` text,
	`customer_id` text,
	`fault_class` text NOT NULL,
	`fault_code` text,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`details` text NOT NULL,
	`alarm_key` text NOT NULL,
	`alarm_count` integer DEFAULT 1 NOT NULL,
	`reopen_count` integer DEFAULT 0 NOT NULL,
	`assignee` text,
	`team` text,
	`region` text DEFAULT '' NOT NULL,
	`model` text,
	`slot_start` integer,
	`slot_end` integer,
	`promised_by` integer,
	`opened_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`resolved_at` integer,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `tickets_status` ON `tickets` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `tickets_dedupe` ON `tickets` (`appliance_id`,`fault_class`,`status`);--> statement-breakpoint
CREATE INDEX `tickets_customer` ON `tickets` (`customer_id`);--> statement-breakpoint
CREATE TABLE `webhook_receipts` (
	`webhook_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
