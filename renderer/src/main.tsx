import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { activeChart } from './chart/PriceChart';
import { connect, hashParams } from './client/connect';
import { installShortcuts } from './shortcuts';
import { initLayout, localStoragePersistence, type LayoutPersistence } from './store/layout';
import { useUi } from './store/ui';
import { wire } from './store/wire';
import './styles.css';

const client = connect();
wire(client);
installShortcuts();

const persisters: LayoutPersistence[] = [localStoragePersistence(window.localStorage)];
const bridge = window.keel;
if (bridge) {
  // Electron main keeps the layout beside the window bounds; it wins over localStorage.
  persisters.push({ load: () => bridge.layout.load(), save: (l) => bridge.layout.save(l) });
  bridge.onMenuCommand((cmd) => {
    const ui = useUi.getState();
    if (cmd === 'import-data') ui.requestImport();
    else if (cmd === 'export-data') ui.setScreen('data');
    else if (cmd === 'kill-switch') ui.setKillConfirm(true);
    else if (cmd === 'show-shortcuts') ui.setHelp(true);
    else if (cmd === 'show-about') ui.setAbout(true);
  });
}
void initLayout(persisters);

// Benchmarks and debugging reach the client and chart only when asked for in the URL.
if (hashParams(location.hash).get('debug') === '1') {
  (window as unknown as { keelDebug: unknown }).keelDebug = { client, chart: () => activeChart };
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
