/**
 * Id generators. Client order ids must be unique across restarts (live venues use them for
 * idempotency), so they carry a session prefix; backtests use a deterministic sequence so
 * two runs of the same inputs produce identical outputs.
 */
export interface IdGenerator {
  next(kind: string): string;
}

export class SequentialIds implements IdGenerator {
  private n = 0;
  constructor(private readonly prefix = '') {}
  next(kind: string): string {
    this.n += 1;
    return `${this.prefix}${kind}-${this.n}`;
  }
}

/** Session-unique ids: `<kind>-<session>-<seq>`, the session part from time and randomness. */
export class SessionIds implements IdGenerator {
  private n = 0;
  private readonly session: string;
  constructor(now: number = Date.now(), random: () => number = Math.random) {
    this.session = now.toString(36) + Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  }
  next(kind: string): string {
    this.n += 1;
    return `${kind}-${this.session}-${this.n}`;
  }
}
