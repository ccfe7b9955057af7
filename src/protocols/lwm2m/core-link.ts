// A small CoRE Link Format (RFC 6690) reader for registration object lists: `</1/0>,</3/0>;ver=1.1`.
import { Lwm2mRegistrationError } from './errors/lwm2m-registration-error.ts';

/** One link: its target and its parameters (`true` for a parameter without a value). */
export interface CoreLink {
  readonly target: string;
  readonly params: Readonly<Record<string, string | true>>;
}

/**
 * Parse `link-value *("," link-value)` (RFC 6690 §2), where a link-value is `<target>` followed by
 * `;name[=value]` parameters and a value is a token or a quoted string (which may hold commas).
 * @throws Lwm2mRegistrationError (on `field`) naming the offset of the first syntax error.
 */
export function parseCoreLinks(text: string, field = 'objectLinks'): CoreLink[] {
  const links: CoreLink[] = [];
  let at = 0;
  const fail = (reason: string): never => {
    throw new Lwm2mRegistrationError(field, `${reason} at offset ${at} of ${JSON.stringify(text)}`);
  };
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text.charAt(at))) at += 1;
  };
  skipSpace();
  if (at === text.length) fail('empty link list');
  while (at < text.length) {
    skipSpace();
    if (text.charAt(at) !== '<') fail('expected "<"');
    const close = text.indexOf('>', at);
    if (close === -1) fail('missing ">"');
    const target = text.slice(at + 1, close);
    at = close + 1;
    const params: Record<string, string | true> = {};
    skipSpace();
    while (text.charAt(at) === ';') {
      at += 1;
      skipSpace();
      const name = /^[A-Za-z0-9!#$&+\-.^_`|~*]+/.exec(text.slice(at))?.[0] ?? fail('expected a parameter name');
      at += name.length;
      skipSpace();
      let value: string | true = true;
      if (text.charAt(at) === '=') {
        at += 1;
        skipSpace();
        value = text.charAt(at) === '"' ? readQuoted() : readToken();
      }
      params[name] = value;
      skipSpace();
    }
    links.push({ target, params });
    if (at === text.length) break;
    if (text.charAt(at) !== ',') fail('expected "," or ";"');
    at += 1;
  }
  return links;

  function readQuoted(): string {
    let value = '';
    for (at += 1; at < text.length; at += 1) {
      const char = text.charAt(at);
      if (char === '\\') {
        at += 1;
        value += text.charAt(at);
      } else if (char === '"') {
        at += 1;
        return value;
      } else {
        value += char;
      }
    }
    return fail('unterminated quoted string');
  }

  function readToken(): string {
    const token = /^[^,;\s"]+/.exec(text.slice(at))?.[0] ?? fail('expected a parameter value');
    at += token.length;
    return token;
  }
}
