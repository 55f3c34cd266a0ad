import type { RejectReason } from '@forecare/firmware-contracts';

/**
 * Every error the gateway reports, declared once with a stable code, an HTTP status and a
 * message. Tests assert on codes; `errors.test.ts` pins the catalog so a code is never
 * silently renamed or reused.
 */
export const ERRORS = {
  GW_ERR_CONFIG_INVALID: { status: 500, title: 'Invalid configuration' },
  GW_ERR_PORT_IN_USE: { status: 500, title: 'Port already in use' },
  GW_ERR_UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  GW_ERR_FORBIDDEN: { status: 403, title: 'Not allowed for this role' },
  GW_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  GW_ERR_VALIDATION: { status: 400, title: 'Request does not match the schema' },
  GW_ERR_HUB_EXISTS: { status: 409, title: 'Hub already provisioned' },
  GW_ERR_HUB_UNKNOWN: { status: 404, title: 'Unknown hub' },
  GW_ERR_HUB_ID_INVALID: { status: 400, title: 'Invalid hub id' },
  GW_ERR_MQTT_CLIENT_EXISTS: { status: 409, title: 'MQTT client already provisioned' },
  GW_ERR_MQTT_CLIENT_UNKNOWN: { status: 404, title: 'Unknown MQTT client' },
  GW_ERR_CUSTOMER_EXISTS: { status: 409, title: 'Customer already registered' },
  GW_ERR_CUSTOMER_UNKNOWN: { status: 404, title: 'Unknown customer' },
  GW_ERR_APPLIANCE_EXISTS: { status: 409, title: 'Appliance already registered' },
  GW_ERR_APPLIANCE_UNKNOWN: { status: 404, title: 'Unknown appliance' },
  GW_ERR_TICKET_UNKNOWN: { status: 404, title: 'Unknown ticket' },
  GW_ERR_TICKET_TRANSITION: { status: 409, title: 'Ticket cannot move to that status' },
  GW_ERR_ALARM_UNKNOWN: { status: 404, title: 'Unknown alarm' },
  GW_ERR_ALARM_CLEARED: { status: 409, title: 'Alarm already cleared' },
  GW_ERR_OUTBOX_TASK_UNKNOWN: { status: 404, title: 'Unknown contact task' },
  GW_ERR_OUTBOX_TASK_STATE: { status: 409, title: 'Contact task cannot be replayed in its state' },
  GW_ERR_SIGNATURE_INVALID: { status: 401, title: 'Webhook signature invalid or replayed' },
  GW_ERR_STORE: { status: 500, title: 'Store failure' },
  GW_ERR_JOURNAL_ROW_UNREADABLE: { status: 500, title: 'Journal row unreadable' },
  GW_ERR_CHECKPOINT_UNREADABLE: { status: 500, title: 'Rule engine checkpoint unreadable' },
  GW_ERR_INTERNAL: { status: 500, title: 'Internal error' },
  GW_ERR_USER_EXISTS: { status: 409, title: 'User already exists' },
  GW_ERR_RULES_INVALID: { status: 422, title: 'Rules do not compile' },
  GW_ERR_RULES_STALE: { status: 409, title: 'Rules changed since this edit began' },
  GW_ERR_TOO_MANY_LOGINS: { status: 429, title: 'Too many failed sign-ins' },
  GW_ERR_BAD_REQUEST: { status: 400, title: 'Malformed request' },
  GW_ERR_BAD_URL: { status: 400, title: 'Malformed URL' },
  GW_ERR_URI_TOO_LONG: { status: 414, title: 'URL too long' },
  GW_ERR_BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  GW_ERR_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  GW_ERR_HEADERS_TOO_LARGE: { status: 431, title: 'Request headers too large' },
  GW_ERR_TIMEOUT: { status: 408, title: 'Request timed out' },
  GW_ERR_GATEWAY_UNREACHABLE: { status: 502, title: 'Gateway not reachable' },
  GW_ERR_FORECAST_NO_HISTORY: { status: 422, title: 'Not enough history to forecast' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/**
 * The code of the `rejected` notice a hub gets for each reason firmware-contracts refuses an
 * uplink message with. Hubs match on these codes, so they are declared here rather than built
 * from the reason at run time: a new reason fails to compile until it has its code.
 */
export const REJECT_NOTICE_CODES = {
  'bad-topic': 'GW_REJECT_BAD_TOPIC',
  'downlink-topic': 'GW_REJECT_DOWNLINK_TOPIC',
  'too-large': 'GW_REJECT_TOO_LARGE',
  'not-json': 'GW_REJECT_NOT_JSON',
  schema: 'GW_REJECT_SCHEMA',
  'out-of-range': 'GW_REJECT_OUT_OF_RANGE',
} as const satisfies Record<RejectReason, `GW_REJECT_${string}`>;

export type RejectNoticeCode = (typeof REJECT_NOTICE_CODES)[RejectReason];

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;

  constructor(code: ErrorCode, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.title = ERRORS[code].title;
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
