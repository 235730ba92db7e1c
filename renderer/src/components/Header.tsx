import { fmtMoney } from '../lib/format';
import { KillSwitchButton } from '../screens/KillSwitch';
import { modeLabel, useLive } from '../store/live';
import { useRisk } from '../store/risk';
import { useTrading } from '../store/trading';
import { SCREEN_LABELS, SCREENS, useUi } from '../store/ui';

export function Header() {
  const accounts = useLive((s) => s.accounts);
  const tradingState = useRisk((s) => s.risk?.tradingState);
  const killed = useRisk((s) => s.risk?.killSwitch.engaged ?? false);
  const equity = useTrading((s) => s.account?.equity);
  const screen = useUi((s) => s.screen);
  const setScreen = useUi((s) => s.setScreen);
  const setHelp = useUi((s) => s.setHelp);
  // From the engine's accounts (one rule: an account with a recorded live confirmation is live).
  const mode = modeLabel(accounts);
  return (
    <header className="header">
      <div className="brand" aria-hidden="true">
        ⚓ Keel
      </div>
      <span className={`mode-badge mode-${mode.live ? 'LIVE' : 'PAPER'}`} role="status" aria-label={`Trading mode: ${mode.text}`}>
        {mode.text}
      </span>
      <span className={`state-badge state-${tradingState ?? 'unknown'}`} role="status" aria-label={`Trading state: ${tradingState ?? 'unknown'}${killed ? ', kill switch engaged' : ''}`}>
        {tradingState ?? '…'}
      </span>
      <nav aria-label="Screens">
        {SCREENS.map((s, i) => (
          <button key={s} aria-current={s === screen ? 'page' : undefined} onClick={() => setScreen(s)} title={`Alt+${i + 1}`}>
            {SCREEN_LABELS[s]}
          </button>
        ))}
      </nav>
      <div className="header-right">
        <span className="equity dim">
          Equity <b className="num">{fmtMoney(equity)}</b>
        </span>
        <button className="icon" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>
          ?
        </button>
        <KillSwitchButton />
      </div>
    </header>
  );
}
