import { useEffect, useState } from 'react';
import { useConnection } from '../store/connection';
import { useUi } from '../store/ui';
import { Dialog } from './Dialog';

interface LicenceEntry {
  name: string;
  version: string;
  licence: string;
  repository?: string;
  texts: { file: string; text: string }[];
  notice?: string;
  link?: string;
}

type Loaded = { state: 'loading' } | { state: 'ready'; packages: LicenceEntry[] } | { state: 'missing'; why: string };

/** https only: a licence file's repository link goes out through Electron's allow-list or the browser. */
function httpsOnly(url: string | undefined): string | undefined {
  return url && url.startsWith('https://') ? url : undefined;
}

/**
 * About Keel: the version, the chart library's attribution (its licence asks for the NOTICE and
 * a link to TradingView on a page every user can reach; the charts hide the logo), the sample
 * data's licence, and every third-party licence, from licences.json (scripts/licences.js writes
 * it into the built UI from the installed dependencies).
 */
export function AboutDialog() {
  const open = useUi((s) => s.aboutOpen);
  const setAbout = useUi((s) => s.setAbout);
  return open ? <About onClose={() => setAbout(false)} /> : null;
}

function About({ onClose }: { onClose: () => void }) {
  const info = useConnection((s) => s.info);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [filter, setFilter] = useState('');
  useEffect(() => {
    let live = true;
    fetch('./licences.json')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return ((await r.json()) as { packages: LicenceEntry[] }).packages;
      })
      .then((packages) => live && setLoaded({ state: 'ready', packages }))
      .catch((e: unknown) => live && setLoaded({ state: 'missing', why: `the licence list is made when the UI is built (npm run build:ui); this UI has none (${(e as Error).message})` }));
    return () => {
      live = false;
    };
  }, []);
  const charts = loaded.state === 'ready' ? loaded.packages.find((p) => p.name === 'lightweight-charts') : undefined;
  const needle = filter.trim().toLowerCase();
  const shown = loaded.state === 'ready' ? loaded.packages.filter((p) => !needle || p.name.toLowerCase().includes(needle) || p.licence.toLowerCase().includes(needle)) : [];
  return (
    <Dialog title="About Keel" onClose={onClose} wide>
      <p>
        Keel {info?.version ?? ''} <span className="dim">protocol {info?.protocol ?? '—'}</span>
      </p>
      <section aria-label="Chart attribution">
        <p>
          Charts by TradingView Lightweight Charts™{charts ? ` ${charts.version}` : ''} (Apache-2.0):{' '}
          <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">
            https://www.tradingview.com/
          </a>
        </p>
        <p className="about-notice dim small">{charts?.notice ?? 'TradingView Lightweight Charts™\nCopyright (c) TradingView, Inc. https://www.tradingview.com/'}</p>
      </section>
      <p className="small">
        Sample market data (data/samples): the public test data of freqtrade and backtrader, GPL-3.0; its README ships beside it.
      </p>
      <div className="row">
        <h3>Third-party licences{loaded.state === 'ready' ? ` (${loaded.packages.length} packages)` : ''}</h3>
        <input type="search" aria-label="Filter licences" placeholder="Filter by package or licence" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {loaded.state === 'loading' && <p className="dim">Loading…</p>}
      {loaded.state === 'missing' && <p className="dim">No licence list: {loaded.why}.</p>}
      {loaded.state === 'ready' && (
        <ul className="about-licences" aria-label="Third-party licences">
          {shown.map((p) => (
            <li key={`${p.name}@${p.version}`}>
              <details>
                <summary>
                  <span className="mono">{p.name}</span> {p.version} <span className="dim">{p.licence}</span>
                </summary>
                {httpsOnly(p.repository) && (
                  <p className="small">
                    <a href={httpsOnly(p.repository)} target="_blank" rel="noopener noreferrer">
                      {p.repository}
                    </a>
                  </p>
                )}
                {p.notice && <p className="about-notice small">{p.notice}</p>}
                {p.texts.length === 0 && <p className="dim small">The package ships no licence file; its package.json says {p.licence}.</p>}
                {p.texts.map((t) => (
                  <pre key={t.file} aria-label={`${p.name} ${t.file}`}>
                    {t.text}
                  </pre>
                ))}
              </details>
            </li>
          ))}
        </ul>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
