import { parseArgs } from 'node:util';
import { KeelError } from '../../core/errors';
import { ExchangeAccounts } from '../../exchange/accounts';
import type { ExchangeAccount } from '../../model/exchange-account';
import { Keychain, keychainServiceOf, type ApiCredentials } from '../../secrets/keychain';
import { KeychainSecrets } from '../../secrets/secret-store';
import { stateDbPath } from '../../state/db';
import { StateStore } from '../../state/store';
import type { CliCommand, CliIO } from '../types';

const USAGE = `keel account add --exchange ID --name NAME [--testnet] [--api-url URL] [--no-check]
keel account list [--json]
keel account remove --name NAME
keel account live --name NAME --confirm "LIVE NAME"   |   keel account paper --name NAME

Exchange accounts for live trading. The API key, secret and passphrase are kept in the OS
keychain (the Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
under the account's name, and nowhere else: never in a file, never on the command line.

add reads them from standard input: the key on the first line, the secret on the second,
the passphrase on a third where the exchange needs one (Coinbase Exchange, OKX, KuCoin).
On a terminal it asks for each without echo. Or set KEEL_API_KEY, KEEL_API_SECRET and
KEEL_API_PASSWORD. Then it asks the exchange whether the key may withdraw (--no-check: not).

  --exchange ID   ccxt's exchange id: binance, kraken, coinbase, ...
  --name NAME     what Keel calls the account (letters, digits, _ . -; at most 40)
  --testnet       the exchange's test network (ccxt's sandbox mode)
  --api-url URL   a simulator or a proxy instead (\`keel simulate-exchange\`)

list shows each account with its exchange and its key masked. remove deletes the keychain
entry and the account. live puts an account live (its orders go to the exchange) and needs
the confirmation typed out; paper takes it back.`;

function show(a: ExchangeAccount): string {
  const where = [a.testnet ? 'testnet' : undefined, a.apiUrl].filter(Boolean).join(', ');
  const withdraw = a.canWithdraw === undefined ? 'withdraw: not known' : a.canWithdraw ? 'withdraw: YES' : 'withdraw: no';
  return `${a.name}  ${a.exchange}${where ? ` (${where})` : ''}  key ${a.keyMasked}  ${withdraw}  ${a.liveSince !== undefined ? 'LIVE' : 'paper'}`;
}

async function readCredentials(io: CliIO): Promise<ApiCredentials> {
  const env = io.env;
  if (env.KEEL_API_KEY !== undefined || env.KEEL_API_SECRET !== undefined) {
    const c: ApiCredentials = { apiKey: env.KEEL_API_KEY ?? '', secret: env.KEEL_API_SECRET ?? '' };
    if (env.KEEL_API_PASSWORD) c.password = env.KEEL_API_PASSWORD;
    return c;
  }
  if (!io.readLines) throw new KeelError('BAD_INPUT', 'no standard input to read the key from: pipe the key and secret in, or set KEEL_API_KEY and KEEL_API_SECRET', { where: 'stdin' });
  const [apiKey = '', secret = '', password = ''] = await io.readLines(['API key: ', 'API secret: ', 'Passphrase (empty if the exchange has none): ']);
  const c: ApiCredentials = { apiKey: apiKey.trim(), secret: secret.trim() };
  if (password.trim() !== '') c.password = password.trim();
  return c;
}

export const command: CliCommand = {
  name: 'account',
  summary: 'add, list or remove exchange accounts (API keys in the OS keychain)',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    let values: { exchange?: string; name?: string; testnet?: boolean; 'api-url'?: string; 'no-check'?: boolean; json?: boolean; confirm?: string };
    try {
      ({ values } = parseArgs({
        args: rest,
        options: { exchange: { type: 'string' }, name: { type: 'string' }, testnet: { type: 'boolean' }, 'api-url': { type: 'string' }, 'no-check': { type: 'boolean' }, json: { type: 'boolean' }, confirm: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      // parseArgs quotes the unknown option; a key pasted as an argument would be quoted with it.
      io.err(`keel account: ${(e as Error).message.split("'")[0]!.trim()} (options are listed below; keys and secrets are read from standard input, never from arguments)`);
      io.err(USAGE);
      return 2;
    }
    if (sub !== 'add' && sub !== 'list' && sub !== 'remove' && sub !== 'live' && sub !== 'paper') {
      io.err(`keel account: say add, list, remove, live or paper`);
      io.err(USAGE);
      return 2;
    }
    const store = StateStore.open(stateDbPath(io.env));
    try {
      const accounts = new ExchangeAccounts(store, new KeychainSecrets(new Keychain(keychainServiceOf(io.env))));
      if (sub === 'list') {
        const all = accounts.list();
        if (values.json) io.out(JSON.stringify(all, null, 2));
        else if (all.length === 0) io.out('no exchange accounts (keel account add --exchange ID --name NAME)');
        else for (const a of all) io.out(show(a));
        return 0;
      }
      if (!values.name) {
        io.err(`keel account ${sub}: --name is required`);
        return 2;
      }
      if (sub === 'live' || sub === 'paper') {
        const actor = `cli${io.env.USER ? `:${io.env.USER}` : ''}`;
        const a = accounts.setLive(values.name, sub === 'live', values.confirm, actor);
        io.out(a.liveSince !== undefined ? `${a.name} is LIVE: its orders go to ${a.exchange}` : `${a.name} is on paper`);
        return 0;
      }
      if (sub === 'remove') {
        const r = await accounts.remove(values.name);
        io.out(`removed ${values.name}${r.keychain ? '' : ' (the keychain held no key for it)'}`);
        return 0;
      }
      if (!values.exchange) {
        io.err('keel account add: --exchange is required');
        return 2;
      }
      const credentials = await readCredentials(io);
      const a = await accounts.add({ exchange: values.exchange, name: values.name, testnet: values.testnet === true, apiUrl: values['api-url'], credentials });
      io.out(`added ${show(a)}`);
      io.out('key and secret are in the OS keychain');
      if (!values['no-check']) {
        const check = await accounts.checkKey(a.name);
        if (check.canWithdraw === true) io.err(`WARNING: this key may WITHDRAW funds. Keel never withdraws; a trading key should not be able to. Restrict it at ${a.exchange}.`);
        else if (check.canWithdraw === false) io.out('the key cannot withdraw');
        else io.out(`the key's permissions were not checked: ${check.problem}`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
