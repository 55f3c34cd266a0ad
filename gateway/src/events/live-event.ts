// Its own module so that the bus and the event log it stores into can both name it without importing each other.
/** What the gateway tells live listeners (console, SSE, Node-RED) after a change has committed. */
export type LiveEvent =
  | { readonly type: 'alarm'; readonly data: Record<string, unknown> }
  | { readonly type: 'ticket'; readonly data: Record<string, unknown> }
  | { readonly type: 'contact'; readonly data: Record<string, unknown> }
  | { readonly type: 'telemetry'; readonly data: Record<string, unknown> }
  /** A rule set deployed (or rolled back to) as a new version: rule editors update their version list. */
  | { readonly type: 'rules'; readonly data: Record<string, unknown> };
