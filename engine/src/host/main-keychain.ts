import type { ApiCredentials } from '../model/exchange-account';
import type { EngineToMain, KeychainAnswer, KeychainRequest } from '../../protocol/control';
import { PendingReplies } from '../../protocol/pending-replies';
import { keychainErrorFromWire, KeychainUnavailableError } from '../secrets/keychain';
import type { SecretStore } from '../secrets/secret-store';

/**
 * The keychain as the engine sees it under Electron: every read, write and delete is a
 * request to main over the control channel, and main, which alone opens the OS keychain in
 * that mode, answers (electron/main/keychain-for-engine.ts). The engine process never opens
 * the keychain itself, so it needs no Secret Service session of its own.
 *
 * Main's errors come back with their code and `where` (a missing or locked keychain is
 * UNAVAILABLE at `keychain`, as headless); main gone or silent is the same refusal, never a
 * fallback. The wait is long because unlocking a keychain may mean the OS asks the trader
 * for a password first.
 */
export class KeychainViaMain implements SecretStore {
  private readonly replies: PendingReplies<KeychainAnswer>;

  constructor(
    private readonly send: (m: EngineToMain) => void,
    timeoutMs = 120_000,
  ) {
    this.replies = new PendingReplies<KeychainAnswer>('keychain', timeoutMs, 'Electron main');
  }

  /** Main's answer to request `id` (parent-port.ts routes it here). */
  settle(id: number, answer: KeychainAnswer): void {
    this.replies.settle(id, { value: answer });
  }

  /** Main is gone: nothing asked will be answered. */
  failAll(reason: string): void {
    this.replies.failAll(reason);
  }

  private async ask(request: KeychainRequest): Promise<Extract<KeychainAnswer, { ok: true }>> {
    let answer: KeychainAnswer;
    try {
      answer = await this.replies.ask((id) => this.send({ type: 'keychain', id, request }));
    } catch (e) {
      throw new KeychainUnavailableError(e instanceof Error ? e.message : String(e));
    }
    if (answer.ok) return answer;
    throw keychainErrorFromWire(answer.error);
  }

  async available(): Promise<{ ok: boolean; reason?: string }> {
    try {
      return (await this.ask({ op: 'available' })).available ?? { ok: false, reason: 'Electron main did not say' };
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
  }

  async get(account: string): Promise<ApiCredentials | undefined> {
    return (await this.ask({ op: 'get', account })).credentials;
  }

  async set(account: string, credentials: ApiCredentials): Promise<void> {
    await this.ask({ op: 'set', account, credentials });
  }

  async delete(account: string): Promise<boolean> {
    return (await this.ask({ op: 'delete', account })).deleted === true;
  }
}
