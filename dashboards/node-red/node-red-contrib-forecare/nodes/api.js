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
