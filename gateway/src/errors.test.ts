import { describe, expect, it } from 'vitest';
import { ERRORS, GatewayError } from './errors.js';

describe('error catalog', () => {
  it('is pinned: codes are never renamed or reused', () => {
    expect(Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.status]))).toMatchInlineSnapshot();
  });
  it('carries code, status and title', () => {
    const err = new GatewayError('GW_ERR_HUB_EXISTS', 'hub h1 exists');
    expect(err.code).toBe('GW_ERR_HUB_EXISTS');
    expect(err.status).toBe(409);
    expect(err.message).toBe('hub h1 exists');
  });
});
