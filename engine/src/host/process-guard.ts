import { writeCrashNote } from './crash-folder';
import { errorText } from './wire-error';

/**
 * Keeps a serving engine up through an exception or a rejection that nothing caught: it is
 * logged (and written to stderr) and the engine keeps serving, because dying would take the
 * kill switch, the watchdog and the breakers down with it. Every request is already answered
 * through its own try/catch (server.ts); this is the net under code that runs outside one
 * (a timer, an event handler, a forgotten promise).
 *
 * Installed only once the engine listens: a start-up failure must still end the process with
 * its message. With `crashes`, each also leaves a note in that folder (crash-folder.ts).
 * Returns the uninstaller.
 */
export function guardProcess(log: (message: string) => void, crashes?: string): () => void {
  const report = (what: string, e: unknown): void => {
    const message = `${what}; the engine keeps serving: ${errorText(e)}`;
    if (crashes) writeCrashNote(crashes, what, e);
    try {
      log(message);
    } catch {
      // the log itself failed: stderr still gets it
    }
    process.stderr.write(`keel engine: ${message}\n`);
  };
  const onRejection = (reason: unknown): void => report('a promise was rejected and nothing handled it', reason);
  const onException = (e: unknown): void => report('an exception was thrown and nothing caught it', e);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
