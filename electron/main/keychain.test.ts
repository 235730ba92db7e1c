import { describe, expect, it } from 'vitest';
import { Keychain, KeychainUnavailableError } from './keychain';

const hasSessionBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;

describe('keychain: input checks (no store needed)', () => {
  it('refuses exchange ids that are not plain names', async () => {
    const k = new Keychain('keel-test');
    await expect(k.setApiKey('../etc', { apiKey: 'a', secret: 'b' })).rejects.toThrow('is not an exchange id');
    await expect(k.setApiKey('Binance', { apiKey: 'a', secret: 'b' })).rejects.toThrow('is not an exchange id');
  });

  it('refuses empty keys before touching the store', async () => {
    const k = new Keychain('keel-test');
    await expect(k.setApiKey('binance', { apiKey: '', secret: 'b' })).rejects.toThrow('apiKey must be a non-empty string');
  });
});

// CI runs the suite under dbus-run-session with an unlocked gnome-keyring; elsewhere there is no Secret Service to talk to.
describe.skipIf(!hasSessionBus)('keychain against the real Secret Service (needs DBUS_SESSION_BUS_ADDRESS)', () => {
  const exchange = `test-${process.pid}`;

  it('stores, reads back, reports and deletes an API key', async () => {
    const k = new Keychain('keel-test');
    const a = await k.available();
    expect(a, a.reason).toEqual({ ok: true });
    await k.setApiKey(exchange, { apiKey: 'AK-123', secret: 's3cr3t' });
    expect(await k.hasApiKey(exchange)).toBe(true);
    expect(await k.getApiKey(exchange)).toEqual({ apiKey: 'AK-123', secret: 's3cr3t' });
    await k.setApiKey(exchange, { apiKey: 'AK-456', secret: 'other', password: 'pp' });
    expect(await k.getApiKey(exchange)).toEqual({ apiKey: 'AK-456', secret: 'other', password: 'pp' });
    expect(await k.deleteApiKey(exchange)).toBe(true);
    expect(await k.hasApiKey(exchange)).toBe(false);
    expect(await k.deleteApiKey(exchange)).toBe(false);
  });
});

describe.skipIf(hasSessionBus)('keychain without a Secret Service (DBUS_SESSION_BUS_ADDRESS unset)', () => {
  it('says so clearly and refuses to store a key', async () => {
    const k = new Keychain('keel-test');
    const a = await k.available();
    expect(a.ok).toBe(false);
    expect(a.reason).toBeTruthy();
    const err = (await k.setApiKey('binance', { apiKey: 'AK', secret: 'never-stored' }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(KeychainUnavailableError);
    expect(err.message).toContain('no OS keychain is available');
    expect(err.message).not.toContain('never-stored');
  });
});
