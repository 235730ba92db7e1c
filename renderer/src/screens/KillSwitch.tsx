import { useState } from 'react';
import { Dialog } from '../components/Dialog';
import { fmtTime } from '../lib/format';
import { useRisk } from '../store/risk';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';

/** The header button: one click opens the confirm; engaged, it shows and offers the reset. */
export function KillSwitchButton() {
  const engaged = useRisk((s) => s.risk?.killSwitch.engaged ?? false);
  const open = useUi((s) => s.setKillConfirm);
  return (
    <button className={`kill ${engaged ? 'engaged' : ''}`} onClick={() => open(true)} aria-label={engaged ? 'Kill switch engaged: review or reset' : 'Kill switch'} title="Kill switch (Ctrl/Cmd+Shift+K)">
      {engaged ? '■ KILLED' : '■ KILL'}
    </button>
  );
}

export function KillSwitchDialog() {
  const isOpen = useUi((s) => s.killConfirmOpen);
  const close = useUi((s) => s.setKillConfirm);
  const risk = useRisk((s) => s.risk);
  const setRisk = useRisk((s) => s.setRisk);
  const [flatten, setFlatten] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!isOpen) return null;
  const engaged = risk?.killSwitch.engaged ?? false;

  const send = async (engage: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await client().call('risk.killSwitch', engage ? { engage, flatten, reason: 'manual: kill switch' } : { engage });
      setRisk(r);
      close(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={engaged ? 'Kill switch is engaged' : 'Engage the kill switch?'} onClose={() => close(false)} tone="danger">
      {engaged ? (
        <>
          <p>
            Trading is halted since {fmtTime(risk?.killSwitch.since)}
            {risk?.killSwitch.reason ? ` (${risk.killSwitch.reason})` : ''}. It stays latched across restarts until you reset it.
          </p>
          <div className="dialog-actions">
            <button onClick={() => close(false)}>Keep halted</button>
            <button className="danger" disabled={busy} onClick={() => send(false)}>
              Reset kill switch
            </button>
          </div>
        </>
      ) : (
        <>
          <p>All working orders are cancelled and no new order is accepted until the switch is reset. It stays latched across restarts.</p>
          <label className="check">
            <input type="checkbox" checked={flatten} onChange={(e) => setFlatten(e.target.checked)} />
            Also flatten all positions
          </label>
          <div className="dialog-actions">
            <button onClick={() => close(false)}>Cancel</button>
            <button className="danger" data-autofocus disabled={busy} onClick={() => send(true)}>
              Engage kill switch
            </button>
          </div>
        </>
      )}
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
