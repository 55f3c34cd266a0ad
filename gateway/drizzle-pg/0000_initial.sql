CREATE TABLE "alarm_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alarm_key" text NOT NULL,
	"transition" text NOT NULL,
	"at" bigint NOT NULL,
	"count" integer NOT NULL,
	"level" integer DEFAULT 0 NOT NULL,
	"rule_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"appliance_id" text,
	"event" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarms" (
	"alarm_key" text PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"hub_id" text NOT NULL,
	"appliance_id" text,
	"key" text NOT NULL,
	"status" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"count" integer NOT NULL,
	"level" integer DEFAULT 0 NOT NULL,
	"first_seen" bigint NOT NULL,
	"last_seen" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"ticket_id" text
);
--> statement-breakpoint
CREATE TABLE "appliances" (
	"hub_id" text NOT NULL,
	"appliance_id" text NOT NULL,
	"customer_id" text,
	"type" text NOT NULL,
	"model" text,
	"serial" text,
	"installed_at" bigint,
	"warranty_until" bigint,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint,
	CONSTRAINT "appliances_hub_id_appliance_id_pk" PRIMARY KEY("hub_id","appliance_id")
);
--> statement-breakpoint
CREATE TABLE "cluster_nodes" (
	"node_id" text PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"phone" text NOT NULL,
	"email" text,
	"address" text DEFAULT '' NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"channel" text DEFAULT 'voice' NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"quiet_start" text,
	"quiet_end" text,
	"consent_repair" boolean DEFAULT true NOT NULL,
	"consent_food" boolean DEFAULT true NOT NULL,
	"consent_marketing" boolean DEFAULT false NOT NULL,
	"daily_cap" integer DEFAULT 3 NOT NULL,
	"phone_invalid_at" bigint,
	"phone_tail" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" bigint NOT NULL,
	"hub_id" text,
	"client_id" text,
	"topic" text NOT NULL,
	"reason" text NOT NULL,
	"errors" text NOT NULL,
	"payload" "bytea"
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"at" bigint NOT NULL,
	"status" integer,
	"error" text,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fleet_alerts" (
	"alert_id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"fault_code" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"affected" integer NOT NULL,
	"baseline_per_hour_milli" integer NOT NULL,
	"window_ms" bigint NOT NULL,
	"opened_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hubs" (
	"hub_id" text PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"customer_id" text,
	"created_at" bigint NOT NULL,
	"rotated_at" bigint,
	"revoked_at" bigint,
	"last_seen_at" bigint
);
--> statement-breakpoint
CREATE TABLE "live_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"type" text NOT NULL,
	"data" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mqtt_clients" (
	"name" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"rotated_at" bigint,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"task_id" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"ticket_id" text,
	"customer_id" text,
	"hub_id" text NOT NULL,
	"appliance_id" text,
	"channel" text NOT NULL,
	"urgency" text NOT NULL,
	"payload" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"last_error" text,
	"last_status" integer,
	"created_at" bigint NOT NULL,
	"delivered_at" bigint,
	"outcome" text,
	"outcome_at" bigint,
	"leased_by" text,
	"leased_until" bigint
);
--> statement-breakpoint
CREATE TABLE "partition_checkpoints" (
	"partition" integer PRIMARY KEY NOT NULL,
	"stream_seq" bigint NOT NULL,
	"rule_version" integer NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partition_leases" (
	"partition" integer PRIMARY KEY NOT NULL,
	"owner" text,
	"token" bigint DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone DEFAULT 'epoch' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partition_state" (
	"partition" integer NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "partition_state_partition_kind_key_pk" PRIMARY KEY("partition","kind","key")
);
--> statement-breakpoint
CREATE TABLE "rule_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"author" text NOT NULL,
	"message" text NOT NULL,
	"created_at" bigint NOT NULL,
	"rules" text NOT NULL,
	"diff" text DEFAULT '' NOT NULL,
	"effective_seq" bigint
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "telemetry" (
	"id" bigint PRIMARY KEY NOT NULL,
	"appliance_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"at" bigint NOT NULL,
	"device_ts" bigint NOT NULL,
	"metrics" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"at" bigint NOT NULL,
	"by" text NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "ticket_notices" (
	"ticket_id" text PRIMARY KEY NOT NULL,
	"told" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"ticket_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"hub_id" text NOT NULL,
	"appliance_id" text,
	"customer_id" text,
	"fault_class" text NOT NULL,
	"fault_code" text,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"details" text NOT NULL,
	"alarm_key" text NOT NULL,
	"alarm_count" integer DEFAULT 1 NOT NULL,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"assignee" text,
	"team" text,
	"region" text DEFAULT '' NOT NULL,
	"model" text,
	"slot_start" bigint,
	"slot_end" bigint,
	"promised_by" bigint,
	"opened_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"resolved_at" bigint,
	"closed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "users" (
	"username" text PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"created_at" bigint NOT NULL,
	"disabled_at" bigint
);
--> statement-breakpoint
CREATE TABLE "webhook_receipts" (
	"webhook_id" text PRIMARY KEY NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alarm_events_identity" ON "alarm_events" USING btree ("alarm_key","transition","at","count","level");--> statement-breakpoint
CREATE INDEX "alarm_events_at" ON "alarm_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "alarms_status" ON "alarms" USING btree ("status","last_seen");--> statement-breakpoint
CREATE INDEX "alarms_appliance" ON "alarms" USING btree ("hub_id","appliance_id");--> statement-breakpoint
CREATE INDEX "alarms_ticket" ON "alarms" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "appliances_customer" ON "appliances" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "customers_phone" ON "customers" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "customers_phone_tail" ON "customers" USING btree ("phone_tail");--> statement-breakpoint
CREATE INDEX "dead_letters_hub" ON "dead_letters" USING btree ("hub_id","id");--> statement-breakpoint
CREATE INDEX "delivery_attempts_task" ON "delivery_attempts" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "fleet_alerts_open" ON "fleet_alerts" USING btree ("model","fault_code","status");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_customer" ON "outbox" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "sessions_user" ON "sessions" USING btree ("username");--> statement-breakpoint
CREATE INDEX "telemetry_appliance_at" ON "telemetry" USING btree ("hub_id","appliance_id","at");--> statement-breakpoint
CREATE INDEX "ticket_events_ticket" ON "ticket_events" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "tickets_status" ON "tickets" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "tickets_dedupe" ON "tickets" USING btree ("hub_id","appliance_id","fault_class","status");--> statement-breakpoint
CREATE INDEX "tickets_customer" ON "tickets" USING btree ("customer_id");