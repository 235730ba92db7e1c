import { useExchanges } from '../store/exchanges';

/** The chart's badge for its stream: LIVE while data flows; STALE, RECONNECTING or FAILED when not (and why). */
export function StreamBadge({ symbol, timeframe }: { symbol: string | undefined; timeframe: string | undefined }) {
  const stream = useExchanges((s) => (symbol && timeframe ? s.streams[`${symbol}|${timeframe}`] : undefined));
  if (!stream) return null;
  const label = stream.state === 'live' || stream.state === 'polling' ? 'LIVE' : stream.state.toUpperCase();
  return (
    <span
      className={`stream-badge stream-${stream.state === 'polling' ? 'live' : stream.state}`}
      role="status"
      aria-label={`Stream ${label}${stream.message ? `: ${stream.message}` : ''}`}
      title={stream.message ?? `${stream.transport}, ${stream.reconnects} reconnects`}
    >
      {label}
    </span>
  );
}
