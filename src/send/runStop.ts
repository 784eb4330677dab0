/**
 * One stop shared by every sender of a connection: a whole-app refusal (the IP allow-list, the monthly quota, a
 * missing permission) met by one sender is met by all, so the steps of a plan, and an import's read-back, stop at
 * once with the same reason instead of spending a request each on learning it.
 */
export class RunStop {
  readonly #controller = new AbortController();
  #reason: Error | undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The reason of the first stop. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  stop(reason: Error): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller.abort(reason);
  }

  /** Calls `onStop` with the reason once the run stops (at once when it has). */
  onStop(onStop: (reason: Error) => void): void {
    if (this.#reason) return onStop(this.#reason);
    this.#controller.signal.addEventListener('abort', () => onStop(this.#reason!), { once: true });
  }
}
