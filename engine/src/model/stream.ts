/**
 * Where a live market-data stream is: `live` while data flows; `stale` when nothing has come
 * for a while (the connection may look open); `reconnecting` after a drop; `polling` where
 * the exchange has no websocket; `failed` on an error that retrying cannot fix. The feed, the
 * wire and the chart's badge all speak this one list.
 */
export type StreamState = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'polling' | 'failed' | 'stopped';
