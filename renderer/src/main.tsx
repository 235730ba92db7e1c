import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { activeChart } from './chart/PriceChart';
import { connect, hashParams } from './client/connect';
import { installShortcuts } from './shortcuts';
import { initLayout, localStoragePersistence, type LayoutPersistence } from './store/layout';
import { wire } from './store/wire';
import './styles.css';

const client = connect();
wire(client);
installShortcuts();

const persisters: LayoutPersistence[] = [localStoragePersistence(window.localStorage)];
const mainLayout = window.keel?.layout;
if (mainLayout) persisters.push({ load: () => mainLayout.load() as never, save: (l) => mainLayout.save(l) });
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
