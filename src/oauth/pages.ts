/**
 * The built-in authorization server's pages: login, consent and error. Plain server-rendered HTML
 * with no script and no external asset; every field has a label; the one inline style block is
 * allowed by a per-page nonce in the Content-Security-Policy the routes send.
 */

export interface LoginPage {
  readonly action: string;
  readonly csrf: string;
  readonly clientName: string;
  readonly name?: string;
  readonly error?: string;
}

export interface ScopeChoice {
  readonly scope: string;
  readonly description: string;
  /** False: above the user's role, shown but not grantable. */
  readonly grantable: boolean;
}

export interface ConsentPage {
  readonly action: string;
  readonly csrf: string;
  readonly clientName: string;
  readonly clientId: string;
  readonly redirectHost: string;
  readonly user: string;
  readonly role: string;
  readonly scopes: readonly ScopeChoice[];
}

/** What each scope lets a client do, as the consent page says it. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'iot:read': 'read devices, readings and history (viewer)',
  'iot:write': 'change device settings, write values and run batches (operator)',
  'iot:admin': 'reboot devices, upload firmware, run scripts and delete (admin)',
};

/** The page's style, the only one: allowed by the nonce of the CSP header. */
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
fieldset{border:1px solid #888;margin:1rem 0}.scope{margin:.4rem 0}.scope label{display:inline;margin:0}.na{color:#666}
.error{color:#a00;border-left:4px solid #a00;padding-left:.6rem}button{font-size:1rem;padding:.5rem 1.2rem;margin:.8rem .6rem 0 0}`;

export function loginPage(page: LoginPage, nonce: string): string {
  const error = page.error === undefined ? '' : `<p class="error" id="login-error" role="alert">${escape(page.error)}</p>`;
  const described = page.error === undefined ? '' : ' aria-describedby="login-error"';
  return layout(
    'Sign in to llm-iot',
    nonce,
    `<h1>Sign in to llm-iot</h1>
<p><strong>${escape(page.clientName)}</strong> asks to use this hub on your behalf. Sign in with your hub user first.</p>
${error}<form method="post" action="${escape(page.action)}">
<input type="hidden" name="csrf" value="${escape(page.csrf)}">
<label for="name">User name</label>
<input type="text" id="name" name="name" autocomplete="username" required autofocus value="${escape(page.name ?? '')}"${described}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(page: ConsentPage, nonce: string): string {
  const choices = page.scopes
    .map(({ scope, description, grantable }, i) =>
      grantable
        ? `<div class="scope"><input type="checkbox" id="scope-${i}" name="scope" value="${escape(scope)}" checked> <label for="scope-${i}"><code>${escape(scope)}</code>: ${escape(description)}</label></div>`
        : `<div class="scope na"><input type="checkbox" id="scope-${i}" disabled aria-describedby="scope-${i}-why"> <label for="scope-${i}"><code>${escape(scope)}</code>: ${escape(description)}</label> <span id="scope-${i}-why">(not available to your role, ${escape(page.role)})</span></div>`,
    )
    .join('\n');
  return layout(
    'Allow access to llm-iot',
    nonce,
    `<h1>Allow access to llm-iot</h1>
<p><strong>${escape(page.clientName)}</strong> (client <code>${escape(page.clientId)}</code>, returning to <strong>${escape(page.redirectHost)}</strong>) asks to act on this hub as <strong>${escape(page.user)}</strong> (${escape(page.role)}).</p>
<form method="post" action="${escape(page.action)}">
<input type="hidden" name="csrf" value="${escape(page.csrf)}">
<fieldset>
<legend>Permissions asked for</legend>
${choices}
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(error: string, description: string, nonce = ''): string {
  return layout('llm-iot: sign-in failed', nonce, `<h1>Sign-in failed</h1>\n<p role="alert"><code>${escape(error)}</code>${description === '' ? '' : `: ${escape(description)}`}</p>`);
}

function layout(title: string, nonce: string, body: string): string {
  const style = nonce === '' ? '' : `<style nonce="${escape(nonce)}">${STYLE}</style>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)}</title>
${style}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** HTML-escape text for element content and quoted attribute values. */
export function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
