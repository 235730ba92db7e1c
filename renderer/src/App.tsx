import { AlertBanner } from './components/AlertBanner';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Header } from './components/Header';
import { HelpOverlay } from './components/HelpOverlay';
import { AboutDialog } from './components/About';
import { Toast } from './components/Toast';
import { lazy, Suspense } from 'react';
import { KillSwitchDialog } from './screens/KillSwitch';
import { HotkeyConfirm } from './screens/TradingSettings';
import { Markets } from './screens/Markets';
import { SCREEN_LABELS, useUi } from './store/ui';

// Other screens load after the chart: the first paint waits only for what it shows.
const Backtest = lazy(() => import('./screens/Backtest').then((m) => ({ default: m.Backtest })));
const Dashboard = lazy(() => import('./screens/Dashboard').then((m) => ({ default: m.Dashboard })));
const Strategies = lazy(() => import('./screens/Strategies').then((m) => ({ default: m.Strategies })));
const Data = lazy(() => import('./screens/Data').then((m) => ({ default: m.Data })));
const Risk = lazy(() => import('./screens/Risk').then((m) => ({ default: m.Risk })));
const System = lazy(() => import('./screens/System').then((m) => ({ default: m.System })));
const Spread = lazy(() => import('./screens/Spread').then((m) => ({ default: m.Spread })));

export function App() {
  const screen = useUi((s) => s.screen);
  return (
    <div className="app">
      <Header />
      <ConnectionBanner />
      <AlertBanner />
      {/* Markets stays mounted so the chart keeps its state and live updates across tabs. */}
      <main className="screen" aria-label={SCREEN_LABELS[screen]}>
        <div className="screen-body" hidden={screen !== 'markets'}>
          <Markets />
        </div>
        <Suspense fallback={<div className="panel pad dim">Loading…</div>}>
          {screen === 'dashboard' && <Dashboard />}
          {screen === 'strategies' && <Strategies />}
          {screen === 'backtest' && <Backtest />}
          {screen === 'data' && <Data />}
          {screen === 'risk' && <Risk />}
          {screen === 'system' && <System />}
          {screen === 'spread' && <Spread />}
        </Suspense>
      </main>
      <KillSwitchDialog />
      <HotkeyConfirm />
      <HelpOverlay />
      <AboutDialog />
      <Toast />
    </div>
  );
}
