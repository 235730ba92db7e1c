import { useConnection } from '../store/connection';

const TEXT = {
  connecting: 'Connecting to the engine…',
  restarting: 'Engine restarting: reconnecting… Orders cannot be sent until it is back.',
  disconnected: 'Disconnected from the engine.',
} as const;

/** Impossible to miss while the link is not usable; gone once the engine says hello. */
export function ConnectionBanner() {
  const state = useConnection((s) => s.state);
  const message = useConnection((s) => s.message);
  if (state === 'ready') return null;
  return (
    <div className={`conn-banner conn-${state}`} role="alert">
      {TEXT[state]}
      {message ? ` (${message})` : ''}
    </div>
  );
}
