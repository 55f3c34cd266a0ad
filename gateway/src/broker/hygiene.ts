/**
 * Checks aedes does not make itself: MQTT strings must be well-formed UTF-8 without NUL
 * [MQTT-1.5.3-1], [MQTT-1.5.3-2] and should not carry control characters [MQTT-1.5.3-3 "SHOULD NOT"].
 * mqtt-packet decodes strings leniently (invalid sequences become U+FFFD), so U+FFFD is
 * refused as well: no hub id or topic of ours contains it.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\ufffd\ud800-\udfff]/;

export function isCleanMqttString(s: string): boolean {
  return !FORBIDDEN.test(s);
}
