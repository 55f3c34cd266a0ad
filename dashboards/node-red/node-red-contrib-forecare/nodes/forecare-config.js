'use strict';
module.exports = function (RED) {
  function ForecareConfigNode(config) {
    RED.nodes.createNode(this, config);
    this.url = config.url;
  }
  RED.nodes.registerType('forecare-config', ForecareConfigNode, { credentials: { token: { type: 'password' } } });
};
