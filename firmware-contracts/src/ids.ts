/**
 * Identifier rules for hubs and appliances. Ids appear as MQTT topic levels, so they
 * must never contain `/`, `+`, `#`, NUL or white space [MQTT-4.7.1-1]; we keep them to a
 * conservative ASCII set so that they are also safe in URLs, file names and log fields.
 */
export const ID_PATTERN_SOURCE = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const ID_PATTERN = new RegExp(ID_PATTERN_SOURCE);

export const ID_MAX_LENGTH = 64;

export function isValidHubId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function isValidApplianceId(id: string): boolean {
  return ID_PATTERN.test(id);
}
