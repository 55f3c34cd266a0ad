'use strict';
/**
 * Streams forecare's server-sent events (GET /api/v1/events): one message per alarm,
 * ticket or contact change, msg.topic = the event type. Reconnects with backoff and resumes
 * from the last event id it got (Last-Event-ID), so nothing raised while it was away — a
 * gateway restart included — is missed; a `reset` event (the id is older than the
 * gateway's window) is passed on as msg.topic 'reset': fetch the state again.
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
    let lastEventId;

    async function connect() {
      if (closed || !server) return;
      controller = new AbortController();
      try {
        const res = await fetch(new URL('/api/v1/events', server.url), { headers: { authorization: `Bearer ${server.credentials.token || ''}`, accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) }, signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        node.status({ fill: 'green', shape: 'dot', text: 'connected' });
        delay = 500;
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body) {
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) type = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
              else if (line.startsWith('id: ')) lastEventId = line.slice(4);
            }
            if (data === '' || (type !== 'reset' && !wanted.includes(type))) continue;
            try {
              node.send({ topic: type, payload: JSON.parse(data) });
            } catch (err) {
              node.warn(`unreadable event: ${err.message}`);
            }
          }
        }
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
