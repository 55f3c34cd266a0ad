-- Alarm keys name the appliance as hub/appliance (two homes may both have fridge-1): the
-- engine upgrades its own checkpoint on load (rules: upgradeAlarmKey); the gateway's rows follow
-- here, the same rule in SQL, so the engine's clear finds the open alarm it raised before.
-- An old key starts with "{applianceId}|" and has no "/" before its first "|" (ids have none).
UPDATE `alarms` SET `alarm_key` = `hub_id` || '/' || `alarm_key`
  WHERE `appliance_id` IS NOT NULL AND substr(`alarm_key`, 1, length(`appliance_id`) + 1) = `appliance_id` || '|';--> statement-breakpoint
UPDATE `alarm_events` SET `alarm_key` = `hub_id` || '/' || `alarm_key`
  WHERE `appliance_id` IS NOT NULL AND substr(`alarm_key`, 1, length(`appliance_id`) + 1) = `appliance_id` || '|';--> statement-breakpoint
UPDATE `tickets` SET `alarm_key` = `hub_id` || '/' || `alarm_key`
  WHERE `appliance_id` IS NOT NULL AND substr(`alarm_key`, 1, length(`appliance_id`) + 1) = `appliance_id` || '|';
