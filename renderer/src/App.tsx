import { ConnectionBanner } from './components/ConnectionBanner';
import { Header } from './components/Header';
import { HelpOverlay } from './components/HelpOverlay';
import { Toast } from './components/Toast';
import { Backtest } from './screens/Backtest';
import { Data } from './screens/Data';
import { KillSwitchDialog } from './screens/KillSwitch';
import { Markets } from './screens/Markets';
import { Risk } from './screens/Risk';
import { System } from './screens/System';
import { SCREEN_LABELS, useUi } from './store/ui';

export function App() {
  const screen = useUi((s) => s.screen);
  return (
    <div className="app">
      <Header />
      <ConnectionBanner />
      {/* Markets stays mounted so the chart keeps its state and live updates across tabs. */}
      <main className="screen" aria-label={SCREEN_LABELS[screen]}>
        <div className="screen-body" hidden={screen !== 'markets'}>
          <Markets />
        </div>
        {screen === 'backtest' && <Backtest />}
        {screen === 'data' && <Data />}
        {screen === 'risk' && <Risk />}
        {screen === 'system' && <System />}
      </main>
      <KillSwitchDialog />
      <HelpOverlay />
      <Toast />
    </div>
  );
}
