import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/research/redact';

describe('a queue URL as printed and recorded', () => {
  it('keeps host, port and user but never the password', () => {
    expect(redactUrl('redis://:s3cret@10.0.0.5:6379')).toBe('redis://:***@10.0.0.5:6379');
    expect(redactUrl('redis://ops:s3cret@host:6379/2')).toBe('redis://ops:***@host:6379/2');
    expect(redactUrl('rediss://token@host:6380')).toBe('rediss://***@host:6380');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
