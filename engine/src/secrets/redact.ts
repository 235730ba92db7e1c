/**
 * The credentials this process has held, so that no text it writes or answers with can carry
 * one: the log ring, the protocol's error answers and the exchange errors pass their text
 * through redact(). A pattern scrub (`secret=...`) catches what looks like a secret; this
 * catches the real values wherever they appear, however they are quoted.
 */
const known = new Set<string>();
let pattern: RegExp | undefined;

/** Shorter values would mask ordinary words; no real API key or secret is that short. */
const MIN_LENGTH = 6;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Remembers values that must never be written: an account's key, secret and passphrase. */
export function rememberSecrets(...values: (string | undefined)[]): void {
  let added = false;
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_LENGTH || known.has(v)) continue;
    known.add(v);
    added = true;
  }
  // Longest first, so a secret that contains another is masked whole.
  if (added) pattern = new RegExp([...known].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
}

/** `text` with every remembered credential replaced by ***. */
export function redact(text: string): string {
  return pattern && known.size > 0 ? text.replace(pattern, '***') : text;
}
