import type { KeychainAnswer } from '../../engine/protocol/control';
import { checkCredentials, keychainErrorToWire, type Keychain } from '../../engine/src/secrets/keychain';

/**
 * Main's side of the engine's keychain requests (engine/src/host/main-keychain.ts). Under
 * Electron main is the one process that opens the OS keychain: it reads an account's key
 * when the engine needs it to trade, and writes and deletes it when the trader adds or
 * removes the account (the page sends the key to the engine's `accounts.add`, which checks
 * it, asks here to store it, then writes the account's row). It is the engine's own Keychain
 * module, so entry names, format and the "keychain" refusal are the same as headless.
 *
 * Nothing here logs: an answer carries credentials only to the engine that asked, and an
 * error carries the keychain's message, which never holds a credential.
 */
export async function answerKeychain(keychain: Keychain, request: unknown): Promise<KeychainAnswer> {
  const r = (request !== null && typeof request === 'object' ? request : {}) as { op?: unknown; account?: unknown; credentials?: unknown };
  const account = typeof r.account === 'string' ? r.account : '';
  try {
    switch (r.op) {
      case 'available':
        return { ok: true, available: await keychain.available() };
      case 'get': {
        const credentials = await keychain.get(account);
        return credentials ? { ok: true, credentials } : { ok: true };
      }
      case 'set':
        await keychain.set(account, checkCredentials(r.credentials));
        return { ok: true };
      case 'delete':
        return { ok: true, deleted: await keychain.delete(account) };
      default:
        return { ok: false, error: { code: 'BAD_INPUT', message: 'keychain: main does not know this keychain request', where: 'keychain' } };
    }
  } catch (e) {
    return { ok: false, error: keychainErrorToWire(e) };
  }
}
