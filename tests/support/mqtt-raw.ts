import { connect as netConnect, type Socket } from 'node:net';
import { mqttString, remainingLength } from '@forecare/device-sim';

/**
 * MQTT 3.1.1 packets built by hand, so that what a well-behaved client library refuses to
 * send (NUL, invalid UTF-8, reserved flags, deep topics, bursts in one segment) can be sent.
 */

/** Length-prefixed string of raw bytes (so invalid UTF-8 can be sent on purpose). */
export const str = mqttString;
export { remainingLength };

const packet = (firstByte: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);

export const CLEAN = 0x02;
export const USER = 0x80;
export const PASS = 0x40;
export const WILL = 0x04;

export interface RawConnect {
  level?: number;
  flags: number;
  clientId: Buffer | string;
  keepalive?: number;
  will?: { topic: Buffer | string; payload: string };
  username?: Buffer | string;
  password?: string;
  properties?: boolean;
}

/** A CONNECT whose flags are written as given, so malformed combinations can be sent. */
export function connectPacket(p: RawConnect): Buffer {
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(p.keepalive ?? 60);
  const parts: Buffer[] = [str('MQTT'), Buffer.from([p.level ?? 4, p.flags]), keepalive];
  if (p.properties === true) parts.push(Buffer.from([0x00])); // MQTT 5: empty property list
  parts.push(str(p.clientId));
  if (p.will !== undefined) {
    if (p.properties === true) parts.push(Buffer.from([0x00]));
    parts.push(str(p.will.topic), str(p.will.payload));
  }
  if (p.username !== undefined) parts.push(str(p.username));
  if (p.password !== undefined) parts.push(str(p.password));
  return packet(0x10, Buffer.concat(parts));
}

/** A hub's ordinary CONNECT (clean session, username and password). */
export const hubConnect = (hubId: string, password: string, extra: Partial<RawConnect> = {}): Buffer =>
  connectPacket({ flags: CLEAN | USER | PASS, clientId: `${hubId}-raw-${Math.random().toString(36).slice(2, 8)}`, username: hubId, password, ...extra });

export function publishPacket(topic: Buffer | string, payload: string, options: { qos?: 0 | 1; messageId?: number } = {}): Buffer {
  const qos = options.qos ?? 1;
  const id = Buffer.alloc(qos > 0 ? 2 : 0);
  if (qos > 0) id.writeUInt16BE(options.messageId ?? 1);
  return packet(0x30 | (qos << 1), Buffer.concat([str(topic), id, Buffer.from(payload)]));
}

export function subscribePacket(messageId: number, filters: (Buffer | string)[]): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  return packet(0x82, Buffer.concat([id, ...filters.map((f) => Buffer.concat([str(f), Buffer.from([1])]))]));
}

export interface RawPacket {
  readonly type: number;
  readonly body: Buffer;
}

/** A raw TCP connection that splits what the server sends into packets. */
export class RawSession {
  readonly packets: RawPacket[] = [];
  readonly closed: Promise<void>;
  private pending = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      this.pending = Buffer.concat([this.pending, d]);
      this.split();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** `localAddress` (127.0.0.x) makes the connection come from another source address. */
  static async open(port: number, localAddress?: string): Promise<RawSession> {
    const socket = netConnect({ port, host: '127.0.0.1', ...(localAddress !== undefined ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSession(socket);
  }

  /** Opens a connection, sends `connect` and waits for CONNACK 0. */
  static async connected(port: number, connect: Buffer): Promise<RawSession> {
    const session = await RawSession.open(port);
    session.send(connect);
    const connack = await session.next(0x20);
    if (connack === 'closed' || connack.body[1] !== 0) throw new Error(`CONNECT refused: ${connack === 'closed' ? 'closed' : String(connack.body[1])}`);
    return session;
  }

  get open(): boolean {
    return !this.isClosed;
  }

  send(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  /** The next packet of a type (0x20 CONNACK, 0x40 PUBACK, 0x90 SUBACK, 0x30 PUBLISH, …), or 'closed'. */
  async next(type: number, timeoutMs = 5000): Promise<RawPacket | 'closed'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.packets.findIndex((p) => p.type === type);
      if (i >= 0) return this.packets.splice(i, 1)[0] as RawPacket;
      if (this.isClosed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet of type 0x${type.toString(16)} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The CONNACK return code, or 'closed' when the server hung up without one. */
  async connack(): Promise<number | 'closed'> {
    const p = await this.next(0x20);
    return p === 'closed' ? 'closed' : (p.body[1] ?? -1);
  }

  /** SUBACK return codes (0x80 = refused), or 'closed'. */
  async suback(): Promise<number[] | 'closed'> {
    const p = await this.next(0x90);
    return p === 'closed' ? 'closed' : [...p.body.subarray(2)];
  }

  end(): void {
    this.socket.destroy();
  }

  private split(): void {
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let i = 1;
      for (; i < this.pending.length && i <= 4; i++) {
        const byte = this.pending[i] ?? 0;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) break;
      }
      if (i >= this.pending.length || this.pending.length < i + 1 + length) break;
      this.packets.push({ type: (this.pending[0] ?? 0) & 0xf0, body: this.pending.subarray(i + 1, i + 1 + length) });
      this.pending = this.pending.subarray(i + 1 + length);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Sends one CONNECT on a fresh connection; resolves the CONNACK return code, or 'closed' when the server hung up first. */
export async function rawConnect(port: number, connect: Buffer, localAddress?: string): Promise<number | 'closed'> {
  const session = await RawSession.open(port, localAddress);
  session.send(connect);
  try {
    return await session.connack();
  } finally {
    session.end();
  }
}
