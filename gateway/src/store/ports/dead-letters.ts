/** Dead letters as a port: messages the gateway acknowledged but could not use, kept with why. */

export interface DeadLetter {
  readonly hubId: string | null;
  readonly clientId: string | null;
  readonly topic: string;
  readonly reason: string;
  readonly errors: readonly { pointer: string; message: string }[];
  readonly payload: Buffer;
}

export interface DeadLetterStore {
  /** Keeps the letters in one commit, each with the time it was received; rejects when none could be kept. */
  append(letters: readonly { readonly letter: DeadLetter; readonly receivedAt: number }[]): Promise<void>;
}
