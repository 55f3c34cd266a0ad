import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

const none: Progress = { start: () => undefined, update: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr for a person at a terminal: never with --json, never into a pipe or a
 * file, so scripts read stdout as before. `format` uses cli-progress tokens ({bar}, {value},
 * {total}) and the payload's own.
 */
export function progressBar(format: string, wanted: boolean): Progress {
  if (!wanted || process.stderr.isTTY !== true) return none;
  const bar = new SingleBar({ format, hideCursor: true, stream: process.stderr, etaBuffer: 20 }, Presets.shades_classic);
  return { start: (total, payload) => bar.start(total, 0, payload), update: (value, payload) => bar.update(value, payload), stop: () => bar.stop() };
}
