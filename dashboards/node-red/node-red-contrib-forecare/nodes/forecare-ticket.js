'use strict';
const { call } = require('./api.js');
/**
 * Opens a repair ticket (one open ticket per appliance and fault class: a repeat attaches) or,
 * when msg.payload has ticketId and to, moves an existing one (assign, schedule, resolve…).
 */
module.exports = function (RED) {
  function ForecareTicketNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server);
    node.on('input', async (msg, send, done) => {
      try {
        const p = msg.payload || {};
        const res = p.ticketId && p.to
          ? await call(server, 'POST', `/api/v1/tickets/${encodeURIComponent(p.ticketId)}/transition`, { to: p.to, by: p.by || 'node-red', note: p.note, assignee: p.assignee, team: p.team, slotStart: p.slotStart, slotEnd: p.slotEnd })
          : await call(server, 'POST', '/api/v1/tickets', { hubId: p.hubId, applianceId: p.applianceId, faultCode: p.faultCode, faultClass: p.faultClass, title: p.title || config.title || 'Ticket from Node-RED', severity: p.severity, by: p.by || 'node-red', note: p.note });
        msg.payload = res.body;
        msg.statusCode = res.status;
        node.status({ fill: 'green', shape: 'dot', text: `${res.body.ticketId} ${res.body.status}` });
        send(msg);
        done();
      } catch (err) {
        node.status({ fill: 'red', shape: 'ring', text: String(err.status || 'error') });
        done(err);
      }
    });
  }
  RED.nodes.registerType('forecare-ticket', ForecareTicketNode);
};
