'use strict';
const { apiNode } = require('./api.js');
/** Sends a customer notification through forecare's contact-center delivery (consent, quiet hours and caps apply). */
module.exports = function (RED) {
  apiNode(
    RED,
    'forecare-notify',
    (p, config, msg) => ({ method: 'POST', path: '/api/v1/notifications', body: { customerId: p.customerId, message: p.message, purpose: p.purpose || config.purpose || 'repair', ticketId: p.ticketId, key: p.key || msg._msgid } }),
    (body) => ({ text: body.status, fill: body.status === 'suppressed' ? 'yellow' : 'green' }),
  );
};
