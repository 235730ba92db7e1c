import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ExchangeAccountDto } from '../../../engine/protocol';
import { accountNameProblem, credentialProblem, liveConfirmation } from '../../../engine/protocol/definitions';
import { Dialog } from '../components/Dialog';
import { fmtTime } from '../lib/format';
import { useExchanges } from '../store/exchanges';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import { client, errorText, loadExchanges, refreshAccounts } from '../store/wire';

/**
 * Exchange accounts (issue 12): the list with masked keys, add, remove, and live on or off.
 * The key, secret and passphrase live in this component's local state only while typed: they
 * go once through `accounts.add` (to the OS keychain) and are cleared right after, whatever
 * the answer. They never reach a store, a toast or a log.
 */
export function AccountsPanel() {
  const accounts = useLive((s) => s.accounts);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ExchangeAccountDto | undefined>();
  const [goingLive, setGoingLive] = useState<ExchangeAccountDto | undefined>();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();

  const backToPaper = async (a: ExchangeAccountDto) => {
    try {
      await client().call('accounts.setLive', { name: a.name, live: false });
      setOutcome({ ok: true, text: `${a.name} is back to paper: no order goes to ${a.exchange} from it.` });
    } catch (e) {
      setOutcome({ ok: false, text: errorText(e) });
    }
    await refreshAccounts().catch(() => undefined);
  };

  return (
    <section className="panel pad accounts-panel" aria-label="Exchange accounts">
      <div className="row">
        <h2>Exchange accounts</h2>
        <span className="dim small">Keys are kept in the OS keychain; Keel shows them masked.</span>
        <button type="button" className="push-right" onClick={() => setAdding(true)}>
          Add account…
        </button>
      </div>
      {accounts.length === 0 ? (
        <p className="dim">No exchange accounts. Orders go to the paper desk only.</p>
      ) : (
        <table className="var-table accounts" aria-label="Accounts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Exchange</th>
              <th>Key</th>
              <th>Network</th>
              <th>Mode</th>
              <th>Withdraw</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.name} aria-label={`Account ${a.name}`}>
                <td>{a.name}</td>
                <td>
                  {a.exchange}
                  {a.apiUrl && <span className="dim small mono"> {a.apiUrl}</span>}
                </td>
                <td className="mono">{a.keyMasked}</td>
                <td>{a.testnet ? 'testnet' : a.apiUrl ? 'API URL' : 'main'}</td>
                <td>{a.liveSince !== undefined ? <span className="mode-badge mode-LIVE" title={`live since ${fmtTime(a.liveSince)}`}>LIVE</span> : <span className="mode-badge mode-PAPER">PAPER</span>}</td>
                <td>{a.canWithdraw === true ? <strong className="down">can withdraw</strong> : a.canWithdraw === false ? <span className="up">no</span> : <span className="dim">not known</span>}</td>
                <td className="actions">
                  {a.liveSince !== undefined ? (
                    <button type="button" onClick={() => void backToPaper(a)}>
                      Back to paper
                    </button>
                  ) : (
                    <button type="button" className="danger" onClick={() => setGoingLive(a)}>
                      Enable live…
                    </button>
                  )}
                  <button type="button" onClick={() => setRemoving(a)} aria-label={`Remove ${a.name}`}>
                    Remove…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {accounts.some((a) => a.canWithdraw === true) && (
        <p className="down small" role="alert">
          A key that can withdraw lets anyone holding it move funds off the exchange. Create a trade-only key at the exchange and add that instead.
        </p>
      )}
      {outcome && (
        <p role="status" aria-label="Accounts result" className={`small ${outcome.ok ? '' : 'down'}`}>
          {outcome.text}
        </p>
      )}
      {adding && <AddAccountDialog onClose={() => setAdding(false)} onDone={(text) => setOutcome({ ok: true, text })} />}
      {removing && <RemoveDialog account={removing} onClose={() => setRemoving(undefined)} onDone={setOutcome} />}
      {goingLive && <GoLiveDialog account={goingLive} onClose={() => setGoingLive(undefined)} onDone={setOutcome} />}
    </section>
  );
}

const EMPTY_SECRETS = { apiKey: '', secret: '', password: '' };

function AddAccountDialog({ onClose, onDone }: { onClose: () => void; onDone: (text: string) => void }) {
  const exchanges = useExchanges((s) => s.exchanges);
  const [exchange, setExchange] = useState('binance');
  const [name, setName] = useState('');
  const [apiUrl, setApiUrl] = useState('');
  const [testnet, setTestnet] = useState(false);
  const [secrets, setSecrets] = useState(EMPTY_SECRETS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const mounted = useRef(true);
  useEffect(() => {
    loadExchanges().catch(() => undefined);
    return () => {
      mounted.current = false;
    };
  }, []);

  // The engine's own rules (model/exchange-account.ts), so the form refuses what the wire would.
  const problem =
    (name && accountNameProblem(name)) ||
    credentialProblem('API key', secrets.apiKey, true) ||
    credentialProblem('secret', secrets.secret, true) ||
    credentialProblem('passphrase', secrets.password, false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problem || !name) return;
    setBusy(true);
    setError(undefined);
    const sent = { ...secrets };
    // Cleared before the answer: the credentials exist in the page only until sent.
    setSecrets(EMPTY_SECRETS);
    try {
      const r = await client().call('accounts.add', {
        exchange,
        name,
        ...(testnet && { testnet }),
        ...(apiUrl.trim() && { apiUrl: apiUrl.trim() }),
        apiKey: sent.apiKey,
        secret: sent.secret,
        ...(sent.password && { password: sent.password }),
      });
      await refreshAccounts().catch(() => undefined);
      const perm = r.canWithdraw === true ? ' Warning: this key can withdraw.' : r.checkProblem ? ` Its permissions could not be read (${r.checkProblem}).` : '';
      onDone(`Added ${r.account.name} (${r.account.exchange}, key ${r.account.keyMasked}). It trades on paper until you enable live.${perm}`);
      onClose();
    } catch (err) {
      // errorText is the engine's message, which it redacts of every credential it has held.
      if (mounted.current) setError(errorText(err));
    } finally {
      if (mounted.current) setBusy(false);
    }
  };

  const secretField = (k: keyof typeof EMPTY_SECRETS, label: string) => (
    <label>
      {label}
      <input aria-label={label} type="password" autoComplete="off" placeholder={k === 'password' ? 'only where the exchange has one' : undefined} spellCheck={false} value={secrets[k]} onChange={(e) => setSecrets((s) => ({ ...s, [k]: e.target.value }))} />
    </label>
  );

  return (
    <Dialog title="Add an exchange account" onClose={onClose}>
      <form className="form-grid" aria-label="Add account" onSubmit={(e) => void submit(e)}>
        <label>
          Exchange
          <select aria-label="Exchange" value={exchange} onChange={(e) => setExchange(e.target.value)}>
            {(exchanges.length ? exchanges.map((x) => x.id) : ['binance', 'kraken', 'coinbase']).map((id) => (
              <option key={id} value={id}>
                {exchanges.find((x) => x.id === id)?.name ?? id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Account name
          <input aria-label="Account name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        </label>
        <label className="span2">
          API URL (optional: a simulator or proxy)
          <input aria-label="API URL" value={apiUrl} placeholder="http://127.0.0.1:8080" onChange={(e) => setApiUrl(e.target.value)} />
        </label>
        <label className="check span2">
          <input type="checkbox" checked={testnet} onChange={(e) => setTestnet(e.target.checked)} />
          Testnet (the exchange&apos;s sandbox)
        </label>
        {secretField('apiKey', 'API key')}
        {secretField('secret', 'API secret')}
        {secretField('password', 'Passphrase')}
        <p className="dim small span2">The key goes to the OS keychain; it is never written to Keel&apos;s files or logs. Use a key without withdrawal permission.</p>
        {name && problem && <p className="down small span2">{problem}</p>}
        {error && (
          <p className="down small span2" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions span2">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || !name || !!problem}>
            {busy ? 'Adding…' : 'Add account'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type Outcome = (o: { ok: boolean; text: string }) => void;

function RemoveDialog({ account, onClose, onDone }: { account: ExchangeAccountDto; onClose: () => void; onDone: Outcome }) {
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await client().call('accounts.remove', { name: account.name });
      onDone({ ok: true, text: `Removed ${account.name}; its key is deleted from the keychain.` });
    } catch (e) {
      onDone({ ok: false, text: errorText(e) });
    }
    await refreshAccounts().catch(() => undefined);
    onClose();
  };
  return (
    <Dialog title={`Remove ${account.name}?`} onClose={onClose} tone="danger">
      <p>
        The account and its key in the OS keychain are deleted. Orders already at {account.exchange} stay there.
      </p>
      <div className="dialog-actions">
        <button onClick={onClose}>Keep it</button>
        <button className="danger" disabled={busy} onClick={() => void remove()}>
          Remove account
        </button>
      </div>
    </Dialog>
  );
}

function GoLiveDialog({ account, onClose, onDone }: { account: ExchangeAccountDto; onClose: () => void; onDone: Outcome }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const notify = useUi((s) => s.notify);
  // The phrase is the engine's (liveConfirmation), which accounts.setLive checks again.
  const phrase = liveConfirmation(account.name);
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await client().call('accounts.setLive', { name: account.name, live: true, confirm: typed });
      await refreshAccounts().catch(() => undefined);
      onDone({ ok: true, text: `${account.name} is LIVE: orders to it go to ${account.exchange} with real funds.` });
      notify('ok', `${account.name} is live`);
      onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Enable live trading on ${account.name}?`} onClose={onClose} tone="danger">
      <p>
        Orders to <b>{account.name}</b> will be sent to <b>{account.exchange}</b>
        {account.apiUrl ? ` (${account.apiUrl})` : account.testnet ? ' (testnet)' : ''} and trade real funds. Trading stays held until the account has reconciled with the exchange.
      </p>
      <label>
        Type <code className="mono">{phrase}</code> to confirm
        <input aria-label="Live confirmation" value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} data-autofocus />
      </label>
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button onClick={onClose}>Stay on paper</button>
        <button className="danger" disabled={busy || typed !== phrase} onClick={() => void go()}>
          Enable live
        </button>
      </div>
    </Dialog>
  );
}
