'use strict';
/** Calls the forecare REST API with the config node's URL and token; rejects with the problem detail. */
async function call(server, method, path, body) {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: { authorization: `Bearer ${server.credentials.token || ''}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text === '' ? {} : JSON.parse(text);
  if (!res.ok) {
    const err = new Error(`forecare ${method} ${path}: ${res.status} ${json.detail || json.title || ''}`);
    err.status = res.status;
    err.problem = json;
    throw err;
  }
  return { status: res.status, body: json };
}
module.exports = { call };

/**
 * Registers an API-calling node: on each input `request(payload, config)` gives the call, the
 * answer becomes msg.payload and `statusText(body)` the node status; errors go to `done`.
 */
function apiNode(RED, type, request, statusText) {
  function ApiNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server);
    node.on('input', async (msg, send, done) => {
      try {
        const { method, path, body } = request(msg.payload || {}, config, msg);
        const res = await call(server, method, path, body);
        msg.payload = res.body;
        msg.statusCode = res.status;
        const s = statusText(res.body);
        node.status({ fill: s.fill || 'green', shape: 'dot', text: s.text });
        send(msg);
        done();
      } catch (err) {
        node.status({ fill: 'red', shape: 'ring', text: String(err.status || 'error') });
        done(err);
      }
    });
  }
  RED.nodes.registerType(type, ApiNode);
}
module.exports.apiNode = apiNode;
