// A live desk in a process of its own with a dead man's switch armed (2 s), for
// live-dead-man.test.ts: it places one resting order, says WORKING <id>, and waits to be killed.
//   node --import tsx live-dead-man-child.ts API_URL DIR
import { B64_SECRET, lendKrakenSwitch, openLiveDesk, SYM, until } from './live-rig';

const [apiUrl, dir] = process.argv.slice(2) as [string, string];
const d = await openLiveDesk(apiUrl, dir, false, { secret: B64_SECRET, venue: { cancelOnDisconnectMs: 2_000 } });
lendKrakenSwitch(d.client, apiUrl);
d.session.start();
await until(() => d.session.status.state === 'ready' && d.venue.cancelOnDisconnect.armed, 20_000, 'reconciled, the switch armed');
const price = await d.refresh();
const p = d.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
if (!p.ok) throw new Error(p.reason);
await until(() => d.store.order(p.orderId)?.status === 'accepted' || undefined, 10_000, 'acknowledged');
process.stdout.write(`WORKING ${p.orderId}\n`);
await new Promise((r) => setTimeout(r, 30_000));
process.stdout.write('NOT KILLED\n');
process.exit(3);
