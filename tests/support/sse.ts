import { request, type ClientRequest } from 'node:http';
import { ADMIN_TOKEN } from './gateway.js';

export interface SseFrame {
  readonly id: number | undefined;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

export interface SseClient {
  readonly status: number;
  readonly frames: SseFrame[];
  readonly ended: Promise<void>;
  close(): void;
}

/** A live-events client over a real socket, parsing frames as EventSource does (id, event, data). */
export function openSse(httpPort: number, options: { lastEventId?: string; query?: string } = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined = undefined;
    req = request(
      {
        host: '127.0.0.1',
        port: httpPort,
        path: `/api/v1/events${options.query ?? ''}`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream', ...(options.lastEventId !== undefined ? { 'last-event-id': options.lastEventId } : {}) },
      },
      (res) => {
        const frames: SseFrame[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id: number | undefined;
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) id = Number(line.slice(4));
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data !== '') frames.push({ id, event, data: JSON.parse(data) as Record<string, unknown> });
          }
        });
        const ended = new Promise<void>((done) => res.once('close', () => done()));
        res.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, frames, ended, close: () => req?.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
