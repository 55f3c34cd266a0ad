'use strict';
const { call } = require('./api.js');
/** Sends a customer notification through forecare's contact-center delivery (consent, quiet hours and caps apply). */
module.exports = function (RED) {
  function ForecareNotifyNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server);
    node.on('input', async (msg, send, done) => {
      try {
        const p = msg.payload || {};
        const res = await call(server, 'POST', '/api/v1/notifications', { customerId: p.customerId, message: p.message, purpose: p.purpose || config.purpose || 'repair', ticketId: p.ticketId, key: p.key || msg._msgid });
        msg.payload = res.body;
        node.status({ fill: res.body.status === 'suppressed' ? 'yellow' : 'green', shape: 'dot', text: res.body.status });
        send(msg);
        done();
      } catch (err) {
        node.status({ fill: 'red', shape: 'ring', text: String(err.status || 'error') });
        done(err);
      }
    });
  }
  RED.nodes.registerType('forecare-notify', ForecareNotifyNode);
};
