/**
 * What is wrong with a number typed into a field named `name`, in words, or undefined when it
 * is fine or empty (empty is "missing", which the form says on its own).
 */
export function numberProblem(name: string, raw: string, opts: { positive?: boolean } = { positive: true }): string | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  if (/[^0-9.\-eE+]/.test(s)) return `${name} takes digits and a decimal point, not "${s.replace(/[0-9.\-eE+]/g, '').slice(0, 12)}"`;
  if ((s.match(/\./g) ?? []).length > 1) return `${name} has more than one decimal point`;
  const n = Number(s);
  if (!Number.isFinite(n)) return `${name} must be a number`;
  if (opts.positive !== false && !(n > 0)) return `${name} must be above 0`;
  return undefined;
}

/** Whether a keystroke's result may stand in a numeric field: digits and one decimal point (letters are refused as typed). */
export function acceptsNumberInput(next: string): boolean {
  return /^[0-9]*\.?[0-9]*$/.test(next.trim());
}
