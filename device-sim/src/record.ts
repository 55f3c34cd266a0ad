import type { UplinkMessage } from '@forecare/firmware-contracts';

/** A decoded message as the rules engine's inputs (what the gateway feeds it), with server time = device time. */
export function toEngineInputs(m: UplinkMessage, at: number): Record<string, unknown>[] {
  switch (m.kind) {
    case 'status':
      return [{ kind: 'status', hubId: m.hubId, state: m.payload.state, at }];
    case 'heartbeat':
      return [{ kind: 'heartbeat', hubId: m.hubId, seq: m.payload.seq, deviceTs: m.payload.ts, at }];
    case 'telemetry':
      return [{ kind: 'telemetry', hubId: m.hubId, applianceId: m.applianceId, applianceType: m.payload.type, seq: m.payload.seq, deviceTs: m.payload.ts, at, metrics: m.payload.metrics, state: m.payload.state }];
    case 'fault':
      return [{ kind: 'fault', hubId: m.hubId, applianceId: m.applianceId, applianceType: m.payload.type, seq: m.payload.seq, deviceTs: m.payload.ts, at, code: m.payload.code, active: m.payload.active }];
    case 'inventory':
      return [{ kind: 'inventory', hubId: m.hubId, applianceId: m.applianceId, applianceType: m.payload.type, seq: m.payload.seq, deviceTs: m.payload.ts, at, items: m.payload.items }];
  }
}
