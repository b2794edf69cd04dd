// graphql-js quotes what a client sent in its messages ("got invalid value {…}", "cannot
// represent … value: …", "found …"). Paygate says where the input is wrong, not what it was:
// a variable's error is rebuilt from an allow-list of reasons; the other echoes are cut off.
// (Write-only values are also taken out by schema, whatever the message: write-only.ts.)

const TYPE = '"[\\w!\\[\\]]{1,100}"';
const NAME = '"\\w{1,64}"';
const REASONS: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => string]> = [
  [new RegExp(`^(Field ${NAME} of required type ${TYPE} was not provided\\.)$`), (m) => m[1]],
  [new RegExp(`^(Field ${NAME} is not defined by type ${TYPE}\\.)`), (m) => m[1]],
  [new RegExp(`^(Expected type ${TYPE} to be an object\\.)$`), (m) => m[1]],
  [new RegExp(`^(Expected non-nullable type ${TYPE} not to be null\\.)$`), (m) => m[1]],
  [new RegExp(`^Value .* does not exist in (${TYPE}) enum\\.`, 's'), (m) => `the value is not one of the ${m[1]} enum values.`],
  [/^Decimal must be /, () => 'Decimal must be a number like 500 or a decimal string like "500.00".'],
  [/^(\w{1,40}) cannot represent /, (m) => `${m[1]} cannot represent that value.`],
];

function knownReason(text: string): string | null {
  for (const [pattern, say] of REASONS) {
    const m = pattern.exec(text);
    if (m) return say(m);
  }
  return null;
}

/** `Variable "$x" got invalid value <anything>[ at "x.path"]; <reason>`, without the value. */
function variableError(message: string): string | null {
  const head = /^Variable "\$(\w{1,64})" got invalid value /.exec(message);
  if (!head) return null;
  const rest = message.slice(head[0].length);
  let reason: string | null = null;
  let before = rest;
  // The value may hold "; " itself: the reason is the last part that reads as one.
  for (let i = rest.lastIndexOf('; '); i >= 0; i = i > 0 ? rest.lastIndexOf('; ', i - 1) : -1) {
    reason = knownReason(rest.slice(i + 2));
    if (reason) {
      before = rest.slice(0, i);
      break;
    }
  }
  const at = / at "(\w{1,64}(?:\.\w{1,64}|\[\d{1,6}\]){0,20})"$/.exec(before);
  return `Variable "$${head[1]}" got an invalid value${at ? ` at "${at[1]}"` : ''}${reason ? `; ${reason}` : '.'}`;
}

export function withoutEchoedValues(message: string): string {
  return variableError(message) ?? message
    .replace(/(cannot represent [^:]*value): .*$/s, '$1.')
    .replace(/(Expected value of type "[^"]+"), found .*$/s, '$1.')
    .replace(/(Syntax Error: .*found (?:String|BlockString|Name|Int|Float)) .*$/s, '$1.');
}

/** "Did you mean …?" tells a stranger the schema that introspection would not. */
export const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean [^?]*\?/g, '').trim();
