import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { GatewayError } from '../errors.js';
import type { Logger } from '../log.js';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** CA for client certificates; '' = passwords only. */
  readonly ca: string;
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `${setting}: cannot read ${file} (${(err as Error).message})`);
  }
}

/**
 * MQTT over TLS. With a CA, client certificates are requested but not required (a hub may
 * still use its password); whether one was verified is read per connection.
 */
export function createTlsListener(files: TlsFiles, logger: Logger, onSocket: (socket: TLSSocket) => void): TlsServer {
  const withCa = files.ca !== '';
  const server = createTlsServer(
    {
      cert: readPem(files.cert, 'FORECARE_TLS_CERT'),
      key: readPem(files.key, 'FORECARE_TLS_KEY'),
      ...(withCa ? { ca: readPem(files.ca, 'FORECARE_TLS_CA'), requestCert: true, rejectUnauthorized: false } : {}),
    },
    onSocket,
  );
  server.on('tlsClientError', (err) => logger.warn({ err: err.message }, 'tls handshake failed'));
  return server;
}

/**
 * MQTT over WebSocket at /mqtt. ws buffers a whole WebSocket message (100 MB by default)
 * before the MQTT parser sees a byte, so the packet limit is applied to messages here too:
 * one MQTT packet per message, as MQTT clients send them, plus its fixed header.
 */
export function createWsListener(maxPacketBytes: number, onStream: (stream: Duplex, req: IncomingMessage) => void): { http: HttpServer; wss: WebSocketServer } {
  const http = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt'));
  const wss = new WebSocketServer({ server: http, path: '/mqtt', maxPayload: maxPacketBytes + 5 });
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    Object.assign(stream, { remoteAddress: req.socket.remoteAddress });
    stream.on('error', () => stream.destroy());
    onStream(stream, req);
  });
  return { http, wss };
}
