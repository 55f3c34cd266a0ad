'use strict';
const { createParser } = require('eventsource-parser');

/**
 * Streams forecare's server-sent events (GET /api/v1/events): one message per alarm,
 * ticket or contact change, msg.topic = the event type, msg.eventId = the event's id.
 * The stream is parsed by eventsource-parser (CRLF or LF line ends, multi-line data, ids,
 * comments, retry), not by hand. Reconnects with backoff and resumes from the last event id
 * it got (Last-Event-ID), so nothing raised while it was away — a gateway restart included —
 * is missed; a `reset` event (the id is older than the gateway's window) is passed on as
 * msg.topic 'reset': fetch the state again.
 */
module.exports = function (RED) {
  function ForecareEventsNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server);
    const wanted = (config.types || 'alarm,ticket,contact').split(',').map((s) => s.trim()).filter(Boolean);
    let controller;
    let closed = false;
    let delay = 500;
    // The server's `retry:` field, when it sends one, replaces the first delay of the backoff.
    let firstDelay = 500;
    let lastEventId;

    const parser = createParser({
      onEvent(event) {
        if (event.id !== undefined) lastEventId = event.id;
        const type = event.event || 'message';
        if (event.data === '' || (type !== 'reset' && !wanted.includes(type))) return;
        try {
          node.send({ topic: type, eventId: event.id, payload: JSON.parse(event.data) });
        } catch (err) {
          node.warn(`unreadable event: ${err.message}`);
        }
      },
      onRetry(ms) {
        firstDelay = Math.max(100, ms);
      },
      onError(err) {
        node.warn(`event stream: ${err.message}`);
      },
    });

    async function connect() {
      if (closed || !server) return;
      controller = new AbortController();
      try {
        const headers = { authorization: `Bearer ${server.credentials.token || ''}`, accept: 'text/event-stream' };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        const res = await fetch(new URL('/api/v1/events', server.url), { headers, signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        node.status({ fill: 'green', shape: 'dot', text: 'connected' });
        delay = firstDelay;
        parser.reset();
        const decoder = new TextDecoder();
        for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
        throw new Error('stream ended');
      } catch (err) {
        if (closed) return;
        node.status({ fill: 'red', shape: 'ring', text: `reconnecting: ${err.message}` });
        setTimeout(connect, delay);
        delay = Math.min(30000, delay * 2);
      }
    }

    if (!server) node.status({ fill: 'red', shape: 'ring', text: 'no gateway configured' });
    else connect();
    node.on('close', (done) => {
      closed = true;
      if (controller) controller.abort();
      done();
    });
  }
  RED.nodes.registerType('forecare-events', ForecareEventsNode);
};
