import { optionalText, text } from '../../src/services/common/validate';

describe('text inputs', () => {
  it.each([
    ['a lone high surrogate', 'ab\ud800c'],
    ['a lone low surrogate', '\udc00x'],
    ['half of an emoji at the end', 'ok \ud83d'],
  ])('refuse %s as BAD_USER_INPUT naming the field', (_what, value) => {
    expect(() => text(value, 'description', 100)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', message: 'description is not well-formed text (a lone UTF-16 surrogate)' }));
    expect(() => optionalText(value, 'description', 100)).toThrow(/not well-formed/);
  });

  it('keep whole emoji and ordinary text', () => {
    expect(text('  Абонемент 🎉 ok  ', 'description', 100)).toBe('Абонемент 🎉 ok');
  });
});
