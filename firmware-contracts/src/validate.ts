import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import {
  FaultPayload,
  HeartbeatPayload,
  InventoryPayload,
  NoticePayload,
  StatusPayload,
  TelemetryPayload,
  type FaultPayload as Fault,
  type HeartbeatPayload as Heartbeat,
  type InventoryPayload as Inventory,
  type NoticePayload as Notice,
  type StatusPayload as Status,
  type TelemetryPayload as Telemetry,
} from './schemas/payloads.js';
import { parseTopic, type ParsedTopic } from './topics.js';
import { inventoryCatalogErrors, telemetryCatalogErrors, type CatalogError } from './validation/catalog-checks.js';
import { MAX_DEPTH, MAX_ERRORS, MAX_PAYLOAD_BYTES, firstTooDeep } from './validation/limits.js';
import { telemetryFastValid } from './validation/telemetry-fast-path.js';

export { MAX_DEPTH, MAX_ERRORS, MAX_PAYLOAD_BYTES } from './validation/limits.js';

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

export interface DownlinkMessage {
  readonly kind: 'notices';
  readonly hubId: string;
  readonly payload: Notice;
}

/**
 * Why a message was refused, in the order the checks run:
 * - `bad-topic`: not a topic of the forecare/v1 tree (or a wildcard, or a bad id);
 * - `downlink-topic`: a hub published on a topic only the gateway publishes on (or the reverse, for decodeDownlink);
 * - `too-large`: more than MAX_PAYLOAD_BYTES;
 * - `not-json`: not UTF-8, or not JSON (NaN and Infinity are not JSON);
 * - `schema`: JSON that breaks the payload schema, nests deeper than MAX_DEPTH, or gives a
 *   catalog metric or state the wrong kind of value;
 * - `out-of-range`: schema-valid, but a catalog metric lies outside its valid range.
 */
export type RejectReason = 'bad-topic' | 'downlink-topic' | 'too-large' | 'not-json' | 'schema' | 'out-of-range';

export const REJECT_REASONS: readonly RejectReason[] = ['bad-topic', 'downlink-topic', 'too-large', 'not-json', 'schema', 'out-of-range'];

export type DecodeResult =
  | { readonly ok: true; readonly message: UplinkMessage }
  | { readonly ok: false; readonly reason: RejectReason; readonly topic: ParsedTopic | null; readonly errors: readonly ContractError[] };

export type DownlinkDecodeResult =
  | { readonly ok: true; readonly message: DownlinkMessage }
  | { readonly ok: false; readonly reason: RejectReason; readonly topic: ParsedTopic | null; readonly errors: readonly ContractError[] };

/** Outcome of checking an already parsed payload. */
export type PayloadCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'schema' | 'out-of-range'; readonly errors: readonly ContractError[] };

// Compiled once at module load: validation is generated code, not a schema walk per message.
const checkers = {
  status: TypeCompiler.Compile(StatusPayload),
  heartbeat: TypeCompiler.Compile(HeartbeatPayload),
  telemetry: TypeCompiler.Compile(TelemetryPayload),
  fault: TypeCompiler.Compile(FaultPayload),
  inventory: TypeCompiler.Compile(InventoryPayload),
} as const;
const noticeChecker = TypeCompiler.Compile(NoticePayload);

export type UplinkKind = keyof typeof checkers;

const OK: PayloadCheck = { ok: true };

function cap(errors: ContractError[]): ContractError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const rest = errors.length - MAX_ERRORS;
  return [...errors.slice(0, MAX_ERRORS), { pointer: '', message: `${rest} more error(s) not listed` }];
}

/** Every schema error (up to MAX_ERRORS, then a marker entry) with its JSON pointer. */
function schemaErrors(check: TypeCheck<TSchema>, value: unknown): ContractError[] {
  const errors: ContractError[] = [];
  let more = false;
  for (const e of check.Errors(value)) {
    if (errors.length === MAX_ERRORS) {
      more = true;
      break;
    }
    errors.push({ pointer: e.path, message: e.message });
  }
  if (more) errors.push({ pointer: '', message: `more errors not listed (limit ${MAX_ERRORS})` });
  return errors;
}

function depthError(value: unknown): ContractError[] {
  const pointer = firstTooDeep(value, MAX_DEPTH);
  return pointer === null ? [] : [{ pointer, message: `nested deeper than ${MAX_DEPTH} levels` }];
}

function checkWith(check: TypeCheck<TSchema>, value: unknown): ContractError[] {
  const deep = depthError(value);
  if (deep.length > 0) return deep;
  return check.Check(value) ? [] : schemaErrors(check, value);
}

function fromCatalog(found: readonly CatalogError[] | null): PayloadCheck {
  if (found === null || found.length === 0) return OK;
  const typeErrors = found.filter((e) => e.kind === 'type');
  const errors = cap(found.map(({ pointer, message }) => ({ pointer, message })));
  return { ok: false, reason: typeErrors.length > 0 ? 'schema' : 'out-of-range', errors };
}

/**
 * Checks a parsed payload of one uplink kind: nesting depth, the compiled schema, then the
 * appliance catalog (metric kinds and valid ranges, state values, unique inventory items).
 * Never throws.
 */
export function checkUplinkPayload(kind: UplinkKind, value: unknown): PayloadCheck {
  try {
    const check = checkers[kind] as TypeCheck<TSchema>;
    const errors = checkWith(check, value);
    if (errors.length > 0) return { ok: false, reason: 'schema', errors };
    if (kind === 'telemetry') return fromCatalog(telemetryCatalogErrors(value as Telemetry));
    if (kind === 'inventory') return fromCatalog(inventoryCatalogErrors(value as Inventory));
    return OK;
  } catch (err) {
    return { ok: false, reason: 'schema', errors: [{ pointer: '', message: `payload could not be checked: ${String((err as Error)?.message ?? err)}` }] };
  }
}

/** Every error of a parsed uplink payload (schema and catalog), empty when valid. Never throws. */
export function validateUplink(kind: UplinkKind, value: unknown): readonly ContractError[] {
  const result = checkUplinkPayload(kind, value);
  return result.ok ? [] : result.errors;
}

/** Every error of a parsed notice payload, empty when valid. Never throws. */
export function validateNotice(value: unknown): readonly ContractError[] {
  try {
    return checkWith(noticeChecker as TypeCheck<TSchema>, value);
  } catch (err) {
    return [{ pointer: '', message: `payload could not be checked: ${String((err as Error)?.message ?? err)}` }];
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: 'too-large' | 'not-json'; errors: ContractError[] };

/** UTF-8 size of the payload; for strings only computed when it could exceed the limit. */
function payloadBytes(bytes: Uint8Array | string): number {
  if (typeof bytes !== 'string') return bytes.byteLength;
  if (bytes.length > MAX_PAYLOAD_BYTES) return bytes.length; // at least this many bytes: already too large
  return bytes.length * 3 <= MAX_PAYLOAD_BYTES ? bytes.length : encoder.encode(bytes).byteLength;
}

function parseJson(bytes: Uint8Array | string): ParsedJson {
  const size = payloadBytes(bytes);
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'too-large', errors: [{ pointer: '', message: `payload of ${size}+ bytes exceeds ${MAX_PAYLOAD_BYTES}` }] };
  try {
    const text = typeof bytes === 'string' ? bytes : decoder.decode(bytes);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: 'not-json', errors: [{ pointer: '', message: `payload is not UTF-8 JSON: ${(err as Error).message.slice(0, 200)}` }] };
  }
}

function describeTopic(topic: unknown): string {
  return typeof topic === 'string' ? JSON.stringify(topic.slice(0, 200)) : typeof topic;
}

/**
 * Decodes one uplink MQTT message: topic → size → UTF-8 → JSON → depth → schema → catalog.
 * Unknown extra fields are kept in the returned payload. Never throws, whatever the bytes.
 */
export function decodeUplink(topic: string, bytes: Uint8Array | string): DecodeResult {
  try {
    const parsed = typeof topic === 'string' ? parseTopic(topic) : null;
    if (parsed === null) return { ok: false, reason: 'bad-topic', topic: null, errors: [{ pointer: '', message: `topic ${describeTopic(topic)} is not in the forecare/v1 tree` }] };
    if (parsed.kind === 'notices') return { ok: false, reason: 'downlink-topic', topic: parsed, errors: [{ pointer: '', message: 'notices is a downlink topic; hubs only subscribe to it' }] };
    const json = parseJson(bytes);
    if (!json.ok) return { ok: false, reason: json.reason, topic: parsed, errors: json.errors };
    const value = json.value;
    const kind = parsed.kind;
    // JSON.parse output only: the fast path may answer "valid"; every other answer comes from the full check.
    const fast = kind === 'telemetry' && telemetryFastValid(value) && firstTooDeep(value, MAX_DEPTH) === null;
    const check = fast ? OK : checkUplinkPayload(kind, value);
    if (!check.ok) return { ok: false, reason: check.reason, topic: parsed, errors: check.errors };
    const hubId = parsed.hubId;
    const applianceId = parsed.applianceId ?? '';
    switch (kind) {
      case 'status':
        return { ok: true, message: { kind, hubId, payload: value as Status } };
      case 'heartbeat':
        return { ok: true, message: { kind, hubId, payload: value as Heartbeat } };
      case 'telemetry':
        return { ok: true, message: { kind, hubId, applianceId, payload: value as Telemetry } };
      case 'fault':
        return { ok: true, message: { kind, hubId, applianceId, payload: value as Fault } };
      case 'inventory':
        return { ok: true, message: { kind, hubId, applianceId, payload: value as Inventory } };
    }
  } catch (err) {
    return { ok: false, reason: 'schema', topic: null, errors: [{ pointer: '', message: `message could not be checked: ${String((err as Error)?.message ?? err)}` }] };
  }
}

/** Decodes one downlink message (gateway → hub, the notices topic), as hub firmware and the simulator do. Never throws. */
export function decodeDownlink(topic: string, bytes: Uint8Array | string): DownlinkDecodeResult {
  try {
    const parsed = typeof topic === 'string' ? parseTopic(topic) : null;
    if (parsed === null) return { ok: false, reason: 'bad-topic', topic: null, errors: [{ pointer: '', message: `topic ${describeTopic(topic)} is not in the forecare/v1 tree` }] };
    if (parsed.kind !== 'notices') return { ok: false, reason: 'downlink-topic', topic: parsed, errors: [{ pointer: '', message: `${parsed.kind} is an uplink topic; only notices flow from the gateway to the hub` }] };
    const json = parseJson(bytes);
    if (!json.ok) return { ok: false, reason: json.reason, topic: parsed, errors: json.errors };
    const errors = validateNotice(json.value);
    if (errors.length > 0) return { ok: false, reason: 'schema', topic: parsed, errors };
    return { ok: true, message: { kind: 'notices', hubId: parsed.hubId, payload: json.value as Notice } };
  } catch (err) {
    return { ok: false, reason: 'schema', topic: null, errors: [{ pointer: '', message: `message could not be checked: ${String((err as Error)?.message ?? err)}` }] };
  }
}
