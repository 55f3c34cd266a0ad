import type { Server as NetServer, Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { GatewayError } from '../errors.js';

interface Listenable {
  listen(port: number, host: string): unknown;
  once(event: 'listening' | 'error', listener: (err?: NodeJS.ErrnoException) => void): unknown;
  removeAllListeners(event: string): unknown;
  address(): ReturnType<NetServer['address']>;
}

/**
 * Listens and answers the bound port. A taken port becomes one clear error that names the
 * setting to change, instead of an EADDRINUSE stack trace.
 */
export function listen(server: Listenable, host: string, port: number, setting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err?: NodeJS.ErrnoException) => {
      server.removeAllListeners('listening');
      if (err?.code === 'EADDRINUSE') {
        reject(new GatewayError('GW_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use: set ${setting} to a free port (0 picks any)`));
      } else if (err?.code === 'EACCES') {
        reject(new GatewayError('GW_ERR_PORT_IN_USE', `no permission to listen on port ${port}: set ${setting} to a port above 1023`));
      } else {
        reject(err ?? new Error('listen failed'));
      }
    });
    server.once('listening', () => {
      server.removeAllListeners('error');
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
    server.listen(port, host);
  });
}

/** Keeps the listener's open sockets in `into` until each closes. */
export function trackSockets(server: NetServer | TlsServer, into: Set<Socket>): void {
  server.on('connection', (socket: Socket) => {
    into.add(socket);
    socket.once('close', () => into.delete(socket));
  });
}
