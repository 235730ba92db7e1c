import { useEffect, useState } from 'react';
import type { ExchangeAccountDto, LiveAccountStatusDto } from '../../../engine/protocol';
import { liveAccounts, useLive } from '../store/live';

const PAPER = '';

export interface Destination {
  /** The accounts that are live: what may be picked besides paper. */
  live: ExchangeAccountDto[];
  /** The picked live account; undefined: the paper desk. */
  account: ExchangeAccountDto | undefined;
  /** Its desk's state (reconciled or not), as live.status last said. */
  deskState: LiveAccountStatusDto | undefined;
  pick(name: string | undefined): void;
}

/**
 * Where a form sends (the ticket) or runs (a strategy): the paper desk unless the trader picks
 * a live account on it. Always paper at first, so going live is a choice on the form each
 * time, never a leftover; an account that stops being live falls back to paper.
 */
export function useDestination(): Destination {
  const live = liveAccounts(useLive((s) => s.accounts));
  const [dest, setDest] = useState<string>(PAPER);
  const account = live.find((a) => a.name === dest);
  const deskState = useLive((s) => (account ? s.status.find((d) => d.account === account.name) : undefined));
  useEffect(() => {
    if (dest !== PAPER && !account) setDest(PAPER);
  }, [dest, account]);
  return { live, account, deskState, pick: (name) => setDest(name ?? PAPER) };
}

/** A live desk trades its own exchange's markets only (symbols are `exchange:BASE/QUOTE`): why `symbol` is not one, or undefined. */
export function marketProblem(account: ExchangeAccountDto | undefined, symbol: string | undefined): string | undefined {
  return account && symbol && !symbol.startsWith(`${account.exchange}:`) ? `${account.name} trades on ${account.exchange}; ${symbol} is not one of its markets` : undefined;
}

/** The badge (`PAPER · paper desk` or `LIVE · account · exchange`, red) and, with live accounts, the picker. */
export function DestinationPicker({ d, badgeLabel, selectLabel, title, onPick }: { d: Destination; badgeLabel: string; selectLabel: string; title: string; onPick?: () => void }) {
  const { account, live } = d;
  return (
    <div className={`ticket-dest ${account ? 'live' : ''}`}>
      <span className={`mode-badge mode-${account ? 'LIVE' : 'PAPER'}`} role="status" aria-label={badgeLabel}>
        {account ? `LIVE · ${account.name} · ${account.exchange}` : 'PAPER · paper desk'}
      </span>
      {live.length > 0 && (
        <select
          aria-label={selectLabel}
          title={title}
          value={account?.name ?? PAPER}
          onChange={(e) => {
            d.pick(e.target.value === PAPER ? undefined : e.target.value);
            onPick?.();
          }}
        >
          <option value={PAPER}>Paper desk</option>
          {live.map((a) => (
            <option key={a.name} value={a.name}>
              LIVE {a.name} ({a.exchange})
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
