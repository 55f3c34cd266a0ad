import { Type } from '@sinclair/typebox';

/** Device time: integer milliseconds since the Unix epoch (UTC). Chosen over ISO 8601 for cost and exactness. */
export const DeviceTime = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: 'Device time, epoch milliseconds (UTC)' });

/** Per-appliance (per-hub for hub topics) message counter, for dedupe of QoS 1 redelivery and gap detection. */
export const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Per-appliance message counter' });

export const ShortText = (description: string, maxLength = 256) => Type.String({ maxLength, description });
