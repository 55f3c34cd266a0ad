import { EventEmitter } from 'node:events';

/** What the gateway tells live listeners (console, SSE, Node-RED) after a change has committed. */
export type LiveEvent =
  | { readonly type: 'alarm'; readonly data: Record<string, unknown> }
  | { readonly type: 'ticket'; readonly data: Record<string, unknown> }
  | { readonly type: 'contact'; readonly data: Record<string, unknown> }
  | { readonly type: 'telemetry'; readonly data: Record<string, unknown> };

/** In-process fan-out of committed changes. Listeners must not throw; a throwing one is dropped. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private nextId = 1;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    const id = this.nextId++;
    for (const listener of this.emitter.listeners('event') as ((id: number, e: LiveEvent) => void)[]) {
      try {
        listener(id, event);
      } catch {
        this.emitter.off('event', listener);
      }
    }
  }

  subscribe(listener: (id: number, event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}
