import { useState } from 'react';
import { HOTKEY_ACTIONS, HOTKEY_LABELS, KEY_COMBO_PATTERN, keyCombo, type HotkeyAction } from '../../../engine/protocol/definitions';
import type { TradingPrefs } from '../../../engine/protocol';
import { Dialog } from '../components/Dialog';
import { fmtQty } from '../lib/format';
import { numberProblem } from '../lib/numbers';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { errorText } from '../store/wire';
import { setTrading, useWorkspace } from '../store/workspace';
import { flatten, placeOrder } from './tradingActions';
import { client } from '../store/wire';

/** A field that records the key combination pressed in it. */
function KeyField({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return (
    <label>
      {label}
      <input
        aria-label={`Key for ${label}`}
        value={value}
        readOnly
        onKeyDown={(e) => {
          if (['Shift', 'Control', 'Alt', 'Meta', 'Tab'].includes(e.key)) return;
          e.preventDefault();
          e.stopPropagation();
          const combo = keyCombo(e);
          if (KEY_COMBO_PATTERN.test(combo)) onChange(combo);
        }}
      />
    </label>
  );
}

/** One-click trading, the quantity chart orders are sent for, and the trading keys: all off until the trader turns them on. */
export function TradingSettingsDialog({ onClose }: { onClose: () => void }) {
  const saved = useWorkspace((s) => s.trading);
  const notify = useUi((s) => s.notify);
  const [f, setF] = useState<TradingPrefs>(saved);
  const [qty, setQty] = useState(String(saved.quantity));
  const [confirmOneClick, setConfirmOneClick] = useState(false);
  const qtyProblem = numberProblem('quantity', qty) ?? (qty.trim() === '' ? 'quantity is missing' : undefined);
  const keys = Object.values(f.hotkeys.keys);
  const clash = keys.find((k, i) => keys.indexOf(k) !== i);
  const save = async () => {
    try {
      await setTrading({ ...f, quantity: Number(qty) });
      notify('ok', 'Trading settings saved');
      onClose();
    } catch (e) {
      notify('error', `Not saved: ${errorText(e)}`);
    }
  };
  if (confirmOneClick) {
    return (
      <Dialog title="Turn on one-click trading?" tone="danger" onClose={() => setConfirmOneClick(false)}>
        <p>Buy and sell buttons on the chart will send market orders at once, with no confirmation, for {fmtQty(Number(qty) || f.quantity)} each.</p>
        <div className="dialog-actions">
          <button onClick={() => setConfirmOneClick(false)}>Keep it off</button>
          <button
            className="danger"
            data-autofocus
            onClick={() => {
              setF({ ...f, oneClick: true });
              setConfirmOneClick(false);
            }}
          >
            Turn on one-click trading
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Trading on the chart" onClose={onClose}>
      <form
        className="form-grid"
        aria-label="Trading settings"
        onSubmit={(e) => {
          e.preventDefault();
          if (!qtyProblem && !clash) void save();
        }}
      >
        <label className="span2">
          Quantity for chart orders (right-click, one-click, keys)
          <input inputMode="decimal" value={qty} onChange={(e) => setQty(e.target.value)} aria-invalid={Boolean(qtyProblem)} />
        </label>
        {qtyProblem && (
          <p className="span2 down small" role="alert">
            {qtyProblem}
          </p>
        )}
        <label className="check span2">
          <input type="checkbox" checked={f.oneClick} onChange={(e) => (e.target.checked ? setConfirmOneClick(true) : setF({ ...f, oneClick: false }))} />
          One-click trading (buy and sell buttons on the chart send at once)
        </label>
        <label className="check span2">
          <input type="checkbox" checked={f.hotkeys.enabled} onChange={(e) => setF({ ...f, hotkeys: { ...f.hotkeys, enabled: e.target.checked } })} />
          Trading keys (each asks for a confirmation before it acts)
        </label>
        {HOTKEY_ACTIONS.map((a) => (
          <KeyField key={a} label={HOTKEY_LABELS[a]} value={f.hotkeys.keys[a]} onChange={(v) => setF({ ...f, hotkeys: { ...f.hotkeys, keys: { ...f.hotkeys.keys, [a]: v } } })} />
        ))}
        {clash && (
          <p className="span2 down small" role="alert">
            {clash} is given to two actions
          </p>
        )}
        <div className="dialog-actions span2">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={Boolean(qtyProblem || clash)}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function TradingSettingsButton() {
  const [open, setOpen] = useState(false);
  const oneClick = useWorkspace((s) => s.trading.oneClick);
  const keysOn = useWorkspace((s) => s.trading.hotkeys.enabled);
  return (
    <>
      <button onClick={() => setOpen(true)} aria-label="Trading settings" title="One-click trading, trading keys and the chart order quantity">
        ⚙ Trading{oneClick ? ' · 1-click' : ''}
        {keysOn ? ' · keys' : ''}
      </button>
      {open && <TradingSettingsDialog onClose={() => setOpen(false)} />}
    </>
  );
}

/** What a trading key would do, in words, for its confirmation. */
export function hotkeyText(action: HotkeyAction, symbol: string, qty: number): string {
  switch (action) {
    case 'buy_market':
      return `Buy ${fmtQty(qty)} ${symbol} at market`;
    case 'sell_market':
      return `Sell ${fmtQty(qty)} ${symbol} at market`;
    case 'flatten':
      return `Flatten ${symbol} on the manual ledger: cancel your working orders on it and close your position (strategies keep theirs)`;
    case 'cancel_all':
      return `Cancel every working order on ${symbol}`;
  }
}

/** The confirmation a trading key asks for; Enter confirms. */
export function HotkeyConfirm() {
  const pending = useUi((s) => s.pendingHotkey);
  const symbol = useMarket((s) => s.symbol);
  const qty = useWorkspace((s) => s.trading.quantity);
  if (!pending || !symbol) return null;
  const close = () => useUi.setState({ pendingHotkey: undefined });
  const go = async () => {
    close();
    if (pending === 'buy_market' || pending === 'sell_market') {
      await placeOrder({ symbol, side: pending === 'buy_market' ? 'buy' : 'sell', type: 'market', size: qty, sizeMode: 'qty', tif: 'GTC' });
    } else if (pending === 'flatten') await flatten('Flatten', symbol, 'manual');
    else {
      try {
        const { cancelled } = await client().call('orders.cancelAll', { symbol });
        useUi.getState().notify('ok', `Cancelled ${cancelled} working order${cancelled === 1 ? '' : 's'} on ${symbol}`);
      } catch (e) {
        useUi.getState().notify('error', `Cancel all: ${errorText(e)}`);
      }
    }
  };
  return (
    <Dialog title="Confirm" onClose={close}>
      <p>
        {hotkeyText(pending, symbol, qty)}? <span className="mode-badge mode-PAPER">PAPER</span> <span className="dim small">trading keys act on the paper desk</span>
      </p>
      <div className="dialog-actions">
        <button onClick={close}>Cancel</button>
        <button className="primary" data-autofocus onClick={() => void go()}>
          Confirm
        </button>
      </div>
    </Dialog>
  );
}
