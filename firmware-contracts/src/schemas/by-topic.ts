import type { TSchema } from '@sinclair/typebox';
import type { TopicKind } from '../topics.js';
import {
  FaultPayload,
  HeartbeatPayload,
  InventoryPayload,
  NoticePayload,
  StatusPayload,
  TelemetryPayload,
} from './payloads.js';

/** Payload type of every topic kind, in one map: every consumer gets them from one place. */
export interface PayloadByTopic {
  readonly status: StatusPayload;
  readonly heartbeat: HeartbeatPayload;
  readonly telemetry: TelemetryPayload;
  readonly fault: FaultPayload;
  readonly inventory: InventoryPayload;
  readonly notices: NoticePayload;
}
export type PayloadOf<K extends TopicKind> = PayloadByTopic[K];

/** Payload schema of every topic kind, with the name it has in the AsyncAPI document. */
export const PAYLOAD_SCHEMAS: Readonly<Record<TopicKind, { readonly name: string; readonly schema: TSchema }>> = {
  status: { name: 'StatusPayload', schema: StatusPayload },
  heartbeat: { name: 'HeartbeatPayload', schema: HeartbeatPayload },
  telemetry: { name: 'TelemetryPayload', schema: TelemetryPayload },
  fault: { name: 'FaultPayload', schema: FaultPayload },
  inventory: { name: 'InventoryPayload', schema: InventoryPayload },
  notices: { name: 'NoticePayload', schema: NoticePayload },
};
