/**
 * A synchronous SQLite call as a port's promise: its result, or its error as a rejection
 * rather than a throw at the caller (a networked store fails the same way).
 */
export function answer<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}
