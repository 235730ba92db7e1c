// The one keychain module (headless engine, CLI and Electron main all use it): what it refuses
// before touching the store, a real Secret Service where the suite runs under one (scripts/test.js),
// and the refusal where there is none.
import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import { Keychain, keychainErrorFromWire, keychainErrorToWire, KeychainUnavailableError } from '../../src/secrets/keychain';

const hasSessionBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
const SERVICE = `keel-test-keychain-${process.pid}`;

describe('keychain: input checks (no store needed)', () => {
  it('refuses account names that are not plain names, and empty or multi-line credentials, before touching the store', async () => {
    const k = new Keychain(SERVICE);
    await expect(k.set('../etc', { apiKey: 'a1234567', secret: 'b1234567' })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'account' });
    await expect(k.get('a b')).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'account' });
    await expect(k.set('main', { apiKey: '', secret: 'b1234567' })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'credentials.apiKey' });
    const multi = await k.set('main', { apiKey: 'a1234567', secret: 'never\nstored' }).catch((e: unknown) => e);
    expect(multi).toMatchObject({ code: 'BAD_INPUT', where: 'credentials.secret' });
    expect((multi as Error).message).not.toContain('never');
  });

  it('an error crosses from main to the engine unchanged: code, where and message', () => {
    const unavailable = new KeychainUnavailableError('no bus');
    const back = keychainErrorFromWire(keychainErrorToWire(unavailable));
    expect(back).toBeInstanceOf(KeelError);
    expect([back.code, back.where, back.message]).toEqual(['UNAVAILABLE', 'keychain', unavailable.message]);
    // Anything else from the native layer is the keychain being unavailable, with its first line only.
    expect(keychainErrorToWire(new Error('dbus broke\nsecond line'))).toMatchObject({ code: 'UNAVAILABLE', where: 'keychain', message: expect.stringContaining('(dbus broke)') });
  });
});

// CI runs the suite under dbus-run-session with an unlocked gnome-keyring; elsewhere there is no Secret Service to talk to.
describe.skipIf(!hasSessionBus)('keychain against the real Secret Service (needs DBUS_SESSION_BUS_ADDRESS)', () => {
  it('stores, reads back, overwrites (with a passphrase) and deletes an account key', async () => {
    const k = new Keychain(SERVICE);
    const a = await k.available();
    expect(a, a.reason).toEqual({ ok: true });
    const account = `acct-${process.pid}`;
    await k.set(account, { apiKey: 'AK-1234567', secret: 's3cr3t-value' });
    expect(await k.get(account)).toEqual({ apiKey: 'AK-1234567', secret: 's3cr3t-value' });
    await k.set(account, { apiKey: 'AK-4567890', secret: 'other-value', password: 'pass-phrase' });
    expect(await k.get(account)).toEqual({ apiKey: 'AK-4567890', secret: 'other-value', password: 'pass-phrase' });
    expect(await k.delete(account)).toBe(true);
    expect(await k.get(account)).toBeUndefined();
    expect(await k.delete(account)).toBe(false);
  });
});

describe.skipIf(hasSessionBus)('keychain without a Secret Service (DBUS_SESSION_BUS_ADDRESS unset)', () => {
  it('says so clearly, with "keychain" and what to do, and refuses to store a key', async () => {
    const k = new Keychain(SERVICE);
    const a = await k.available();
    expect(a.ok).toBe(false);
    expect(a.reason).toBeTruthy();
    const err = await k.set('main', { apiKey: 'AK-1234567', secret: 'never-stored' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeychainUnavailableError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', where: 'keychain' });
    expect((err as Error).message).toContain('no OS keychain is available or it is locked');
    expect((err as Error).message).toContain('Secret Service');
    expect((err as Error).message).not.toContain('never-stored');
  });
});
