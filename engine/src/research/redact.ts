// Kept apart from queue.ts so that recording a run does not load BullMQ.

/** A Redis URL fit to print or record: the password, if any, masked. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
}
