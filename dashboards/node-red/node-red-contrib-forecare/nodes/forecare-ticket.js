'use strict';
const { apiNode } = require('./api.js');
/**
 * Opens a repair ticket (one open ticket per appliance and fault class: a repeat attaches) or,
 * when msg.payload has ticketId and to, moves an existing one (assign, schedule, resolve…).
 */
module.exports = function (RED) {
  apiNode(
    RED,
    'forecare-ticket',
    (p, config) =>
      p.ticketId && p.to
        ? { method: 'POST', path: `/api/v1/tickets/${encodeURIComponent(p.ticketId)}/transition`, body: { to: p.to, by: p.by || 'node-red', note: p.note, assignee: p.assignee, team: p.team, slotStart: p.slotStart, slotEnd: p.slotEnd } }
        : { method: 'POST', path: '/api/v1/tickets', body: { hubId: p.hubId, applianceId: p.applianceId, faultCode: p.faultCode, faultClass: p.faultClass, title: p.title || config.title || 'Ticket from Node-RED', severity: p.severity, by: p.by || 'node-red', note: p.note } },
    (body) => ({ text: `${body.ticketId} ${body.status}` }),
  );
};
