import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { lookupMetric } from './catalog/index.js';
import {
  FaultPayload,
  HeartbeatPayload,
  InventoryPayload,
  StatusPayload,
  TelemetryPayload,
  type FaultPayload as Fault,
  type HeartbeatPayload as Heartbeat,
  type InventoryPayload as Inventory,
  type StatusPayload as Status,
  type TelemetryPayload as Telemetry,
} from './schemas/payloads.js';
import { parseTopic, type ParsedTopic } from './topics.js';

export interface ContractError {
  /** JSON pointer (RFC 6901) into the payload; '' is the whole payload. */
  readonly pointer: string;
  readonly message: string;
}

export type UplinkMessage =
  | { readonly kind: 'status'; readonly hubId: string; readonly payload: Status }
  | { readonly kind: 'heartbeat'; readonly hubId: string; readonly payload: Heartbeat }
  | { readonly kind: 'telemetry'; readonly hubId: string; readonly applianceId: string; readonly payload: Telemetry }
  | { readonly kind: 'fault'; readonly hubId: string; readonly applianceId: string; readonly payload: Fault }
  | { readonly kind: 'inventory'; readonly hubId: string; readonly applianceId: string; readonly payload: Inventory };

export type RejectReason = 'bad-topic' | 'downlink-topic' | 'not-json' | 'schema' | 'out-of-range';

export type DecodeResult =
  | { readonly ok: true; readonly message: UplinkMessage }
  | { readonly ok: false; readonly reason: RejectReason; readonly topic: ParsedTopic | null; readonly errors: readonly ContractError[] };

const MAX_ERRORS = 20;

const checkers = {
  status: TypeCompiler.Compile(StatusPayload),
  heartbeat: TypeCompiler.Compile(HeartbeatPayload),
  telemetry: TypeCompiler.Compile(TelemetryPayload),
  fault: TypeCompiler.Compile(FaultPayload),
  inventory: TypeCompiler.Compile(InventoryPayload),
} as const;

export type UplinkKind = keyof typeof checkers;

function collectErrors<T extends TSchema>(check: TypeCheck<T>, value: unknown): ContractError[] {
  const errors: ContractError[] = [];
  for (const e of check.Errors(value)) {
    errors.push({ pointer: e.path, message: e.message });
    if (errors.length >= MAX_ERRORS) break;
  }
  return errors;
}

/** Validates a parsed payload of one uplink kind. Never throws. */
export function validateUplink(kind: UplinkKind, value: unknown): readonly ContractError[] {
  try {
    const check = checkers[kind] as TypeCheck<TSchema>;
    if (check.Check(value)) return [];
    return collectErrors(check, value);
  } catch (err) {
    return [{ pointer: '', message: `payload could not be checked: ${(err as Error).message}` }];
  }
}

function rangeErrors(type: string, metrics: Record<string, number | boolean>, base: string): ContractError[] {
  const errors: ContractError[] = [];
  for (const name in metrics) {
    const value = metrics[name];
    const spec = lookupMetric(type, name);
    if (spec === undefined || typeof value !== 'number') continue; // unknown metrics are kept, not rejected
    if (!Number.isFinite(value) || value < spec.valid[0] || value > spec.valid[1]) {
      errors.push({ pointer: `${base}/${name}`, message: `${name}=${value} outside valid range [${spec.valid[0]}, ${spec.valid[1]}] ${spec.unit}` });
    }
  }
  return errors;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one uplink MQTT message: topic → payload bytes → JSON → schema → catalog ranges.
 * Never throws, whatever the bytes.
 */
export function decodeUplink(topic: string, bytes: Uint8Array): DecodeResult {
  const parsed = parseTopic(topic);
  if (parsed === null) return { ok: false, reason: 'bad-topic', topic: null, errors: [{ pointer: '', message: `topic ${JSON.stringify(topic.slice(0, 200))} is not in the forecare/v1 tree` }] };
  if (parsed.kind === 'notices') return { ok: false, reason: 'downlink-topic', topic: parsed, errors: [{ pointer: '', message: 'notices is a downlink topic; hubs only subscribe to it' }] };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    return { ok: false, reason: 'not-json', topic: parsed, errors: [{ pointer: '', message: `payload is not UTF-8 JSON: ${(err as Error).message}` }] };
  }
  const kind = parsed.kind;
  const errors = validateUplink(kind, value);
  if (errors.length > 0) return { ok: false, reason: 'schema', topic: parsed, errors };
  const hubId = parsed.hubId;
  switch (kind) {
    case 'status':
      return { ok: true, message: { kind, hubId, payload: value as Status } };
    case 'heartbeat':
      return { ok: true, message: { kind, hubId, payload: value as Heartbeat } };
    case 'telemetry': {
      const payload = value as Telemetry;
      const range = rangeErrors(payload.type, payload.metrics, '/metrics');
      payload.samples?.forEach((s, i) => range.push(...rangeErrors(payload.type, s.metrics, `/samples/${i}/metrics`)));
      if (range.length > 0) return { ok: false, reason: 'out-of-range', topic: parsed, errors: range.slice(0, MAX_ERRORS) };
      return { ok: true, message: { kind, hubId, applianceId: parsed.applianceId ?? '', payload } };
    }
    case 'fault':
      return { ok: true, message: { kind, hubId, applianceId: parsed.applianceId ?? '', payload: value as Fault } };
    case 'inventory':
      return { ok: true, message: { kind, hubId, applianceId: parsed.applianceId ?? '', payload: value as Inventory } };
  }
}
