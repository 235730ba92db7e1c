import type { IdGenerator } from '../../core/ids';
import { KeelError } from '../../core/errors';
import { fitsProfile, type OrderProfile } from './profiles';

const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';

function base36(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += B36[Math.floor(random() * 36)]!;
  return s;
}

/** A home's instance tag: three base-36 characters, made once and kept (the state database's settings). */
export function newInstanceTag(random: () => number = Math.random): string {
  return base36(random, 3);
}

/** Client order ids of this Keel instance start with it; any other order on the account is external. */
export function instancePrefix(tag: string): string {
  if (!/^[0-9a-z]{3}$/.test(tag)) throw new KeelError('INTERNAL', `instance tag "${tag}" is not three base-36 characters`, { where: 'live ids' });
  return `k${tag}-`;
}

/**
 * Ids for a live desk. An order's id is its client order id: `k<tag>-<session>-<seq>`, where
 * the session is made from the start time (seconds, base 36) and two random characters, so
 * ids never repeat across restarts of the same home (the exchange is asked about them by that
 * id after a crash), and the whole fits the tightest exchange (Kraken: 18 of [A-Za-z0-9-]).
 * Other kinds (fills that have no venue trade id) are `<kind>-<session>-<seq>`.
 */
export class LiveIds implements IdGenerator {
  private n = 0;
  readonly prefix: string;
  private readonly session: string;

  constructor(
    tag: string,
    private readonly profile: OrderProfile,
    now: number = Date.now(),
    random: () => number = Math.random,
  ) {
    this.prefix = instancePrefix(tag);
    this.session = (Math.floor(now / 1000) % 36 ** 5).toString(36).padStart(5, '0') + base36(random, 2);
  }

  next(kind: string): string {
    this.n += 1;
    if (kind !== 'order') return `${kind}-${this.session}-${this.n}`;
    const id = `${this.prefix}${this.session}-${this.n.toString(36)}`;
    // Fail closed: an id the exchange would refuse or shorten must never be sent.
    if (!fitsProfile(this.profile, id)) throw new KeelError('INTERNAL', `client order id ${id} does not fit ${this.profile.exchange} (${this.profile.clientIdMax} characters)`, { where: 'live ids' });
    return id;
  }
}
