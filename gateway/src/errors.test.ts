import { describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '@forecare/firmware-contracts';
import { ERRORS, GatewayError, REJECT_NOTICE_CODES } from './errors.js';

describe('error catalog', () => {
  it('is pinned: codes are never renamed or reused', () => {
    expect(Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.status]))).toMatchInlineSnapshot(`
      {
        "GW_ERR_ALARM_CLEARED": 409,
        "GW_ERR_ALARM_UNKNOWN": 404,
        "GW_ERR_APPLIANCE_EXISTS": 409,
        "GW_ERR_APPLIANCE_UNKNOWN": 404,
        "GW_ERR_BAD_REQUEST": 400,
        "GW_ERR_BAD_URL": 400,
        "GW_ERR_BODY_TOO_LARGE": 413,
        "GW_ERR_CHECKPOINT_UNREADABLE": 500,
        "GW_ERR_CONFIG_INVALID": 500,
        "GW_ERR_CUSTOMER_EXISTS": 409,
        "GW_ERR_CUSTOMER_UNKNOWN": 404,
        "GW_ERR_FORBIDDEN": 403,
        "GW_ERR_FORECAST_NO_HISTORY": 422,
        "GW_ERR_GATEWAY_UNREACHABLE": 502,
        "GW_ERR_HEADERS_TOO_LARGE": 431,
        "GW_ERR_HUB_EXISTS": 409,
        "GW_ERR_HUB_ID_INVALID": 400,
        "GW_ERR_HUB_UNKNOWN": 404,
        "GW_ERR_INTERNAL": 500,
        "GW_ERR_JOURNAL_ROW_UNREADABLE": 500,
        "GW_ERR_MEDIA_TYPE": 415,
        "GW_ERR_MQTT_CLIENT_EXISTS": 409,
        "GW_ERR_MQTT_CLIENT_UNKNOWN": 404,
        "GW_ERR_NOT_FOUND": 404,
        "GW_ERR_OUTBOX_TASK_STATE": 409,
        "GW_ERR_OUTBOX_TASK_UNKNOWN": 404,
        "GW_ERR_PORT_IN_USE": 500,
        "GW_ERR_RULES_INVALID": 422,
        "GW_ERR_RULES_STALE": 409,
        "GW_ERR_SIGNATURE_INVALID": 401,
        "GW_ERR_STORE": 500,
        "GW_ERR_TICKET_TRANSITION": 409,
        "GW_ERR_TICKET_UNKNOWN": 404,
        "GW_ERR_TIMEOUT": 408,
        "GW_ERR_TOO_MANY_LOGINS": 429,
        "GW_ERR_UNAUTHORIZED": 401,
        "GW_ERR_URI_TOO_LONG": 414,
        "GW_ERR_USER_EXISTS": 409,
        "GW_ERR_VALIDATION": 400,
      }
    `);
  });
  it('pins the notice codes hubs match on, one per reject reason', () => {
    expect(REJECT_NOTICE_CODES).toMatchInlineSnapshot(`
      {
        "bad-topic": "GW_REJECT_BAD_TOPIC",
        "downlink-topic": "GW_REJECT_DOWNLINK_TOPIC",
        "not-json": "GW_REJECT_NOT_JSON",
        "out-of-range": "GW_REJECT_OUT_OF_RANGE",
        "schema": "GW_REJECT_SCHEMA",
        "too-large": "GW_REJECT_TOO_LARGE",
      }
    `);
    expect(Object.keys(REJECT_NOTICE_CODES).sort()).toEqual([...REJECT_REASONS].sort());
  });
  it('carries code, status and title', () => {
    const err = new GatewayError('GW_ERR_HUB_EXISTS', 'hub h1 exists');
    expect(err.code).toBe('GW_ERR_HUB_EXISTS');
    expect(err.status).toBe(409);
    expect(err.message).toBe('hub h1 exists');
  });
});
