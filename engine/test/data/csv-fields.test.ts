import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateTimeFromText, numberFromText, parseTimeOfDay } from '../../src/data/csv-fields';
import { LineFields, splitFields } from '../../src/data/csv-rows';

describe('parseNumber', () => {
  it('is bit-identical to Number() for decimal text of every shape prices take', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{1,12}$/), fc.stringMatching(/^\d{0,12}$/))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);
    fc.assert(fc.property(decimal, (text) => Object.is(numberFromText(text), Number(text))), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => Object.is(numberFromText(String(x)), Number(String(x)))), { numRuns: 20_000 });
  });

  it('splitting a line and parsing its numbers in one pass gives Number() of each field', () => {
    const field = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.stringMatching(/^-?\d{0,18}(\.\d{0,18})?$/),
      fc.stringMatching(/^-?0{0,6}\d{1,12}(\.\d{0,6}0{0,6})?$/),
      fc.constantFrom('', 'NaN', ' 1.5', '"2.25"', '1e3', 'x', '-', '.', '-.', '.5', '-.5', '+5', '1.2.3', '--1', '5-', '1.5 ', '-0', '0.0'),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        const line = Buffer.from(fields.join(','), 'latin1');
        const f = new LineFields(fields.length + 1, new Uint8Array(fields.length + 1).fill(1));
        expect(splitFields(line, 0, line.length, 44, f)).toBe(fields.length);
        fields.forEach((text, i) => expect(Object.is(f.value[i], numberFromText(text)), `${text} in ${fields.join(',')}`).toBe(true));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses what Number() would wrongly accept', () => {
    for (const text of ['', ' ', '0x1f', 'Infinity', '-Infinity', 'NaN', '1,5', '1.2.3', '--1', '.', 'e5', 'null', '1e']) {
      expect(numberFromText(text), text).toBeNaN();
    }
    expect(numberFromText('"12.5"')).toBe(12.5);
    expect(numberFromText(' 7 ')).toBe(7);
    expect(numberFromText('.5')).toBe(0.5);
  });
});

describe('parseDateTime', () => {
  it('agrees with Date.parse on ISO dates and times across the calendar', () => {
    const instant = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, (d) => {
        const iso = d.toISOString();
        return dateTimeFromText(iso) === d.getTime() && dateTimeFromText(iso.slice(0, 10)) === Date.parse(iso.slice(0, 10)) && dateTimeFromText(iso.replace('T', ' ').replace('Z', '')) === d.getTime();
      }),
      { numRuns: 5000 },
    );
  });

  it('applies offsets, reads compact and slashed dates, refuses impossible dates', () => {
    expect(dateTimeFromText('2023-06-01T12:00:00+02:00')).toBe(Date.UTC(2023, 5, 1, 10));
    expect(dateTimeFromText('2023-06-01 12:00:00-0530')).toBe(Date.UTC(2023, 5, 1, 17, 30));
    expect(dateTimeFromText('20060102')).toBe(Date.UTC(2006, 0, 2));
    expect(dateTimeFromText('2006/01/02')).toBe(Date.UTC(2006, 0, 2));
    expect(dateTimeFromText('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['2023-02-29', '2023-13-01', '2023-00-10', '2023-01-32', '2023-01-01T24:00', '2023-01-01T12:60', '2023-1-1', '2023-01-01X', 'yesterday']) {
      expect(dateTimeFromText(bad), bad).toBeNaN();
    }
    const b = Buffer.from('09:30:15.250');
    expect(parseTimeOfDay(b, 0, b.length)).toBe(((9 * 60 + 30) * 60 + 15) * 1000 + 250);
  });
});
