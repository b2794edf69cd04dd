// The pure part of editPayment: what an input sets, and what it changes.
import { changesOf, checkEdit, type Editable } from '../../src/services/payments/payment-edit';

const current: Editable = { description: 'a', note: null, restrictRefund: false, externalNumber: null, documentNumber: null, documentDate: null, tags: ['x'] };

describe('payment edits', () => {
  it('sets only what is given; an empty text clears; tags are trimmed and kept once', () => {
    expect(checkEdit({ note: '  hi  ', description: '', tags: [' x ', 'x', 'y'] })).toEqual({ note: 'hi', description: null, tags: ['x', 'y'] });
  });

  it('changes are only the fields whose value differs, in a fixed order', () => {
    expect(changesOf(current, { tags: ['x'], note: 'n', description: 'a' })).toEqual([{ field: 'note', before: null, after: 'n' }]);
    expect(changesOf(current, { tags: [] })).toEqual([{ field: 'tags', before: 'x', after: null }]);
    expect(changesOf({ ...current, tags: ['a, b'] }, { tags: ['a', 'b'] })).toHaveLength(1); // same text, other tags
  });

  it('control characters are refused, NUL too; line breaks and tabs are text', () => {
    expect(() => checkEdit({ externalNumber: 'a\u0007b' })).toThrow(/control characters/);
    expect(() => checkEdit({ note: 'a\u0000b' })).toThrow(/control characters/);
    expect(checkEdit({ note: 'line one\nline two\tend' })).toEqual({ note: 'line one\nline two\tend' });
  });
});
