/**
 * Secrets never reach a log line or an error message: every URL printed loses its user info (user:password@) and
 * the values of query parameters that carry credentials (SAS `sig=`, signed-URL signatures, tokens, keys);
 * connection-string keys and values the caller knows to be secret become `***`. The logger and runCli pass every
 * message through redactText, so a URL that slips into an error from a library is masked too.
 */

/** Query parameters (lower case) whose value is a credential: Azure SAS, AWS/GCS signed URLs, OAuth and API keys. */
const SECRET_QUERY_PARAMS = new Set([
  'sig',
  'signature',
  'se',
  'sp',
  'sv',
  'st',
  'spr',
  'srt',
  'ss',
  'skoid',
  'sktid',
  'skt',
  'ske',
  'sks',
  'skv',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'googleaccessid',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'key',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'auth',
  'authorization',
  'code',
]);

/** Connection-string style `Name=value;` pairs whose value is a secret (Azure, generic). */
const SECRET_PAIRS =
  /\b(AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd|ClientSecret)=[^;\s"']*/gi;

/** A URL with a scheme and an authority (scheme://…) inside free text. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** The environment variables whose values are secrets; their values are masked wherever they appear. */
export const SECRET_ENV_VARS = [
  'MLFLOW_TRACKING_PASSWORD',
  'MLFLOW_TRACKING_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AZURE_STORAGE_KEY',
  'AZURE_STORAGE_SAS_TOKEN',
  'AZURE_STORAGE_CONNECTION_STRING',
  'AZURE_CLIENT_SECRET',
  'GOOGLE_APPLICATION_CREDENTIALS_JSON',
] as const;

/** Mask the user info and the secret query values of one URL found in text (keeps it readable). */
function maskUrl(url: string): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, (_m, scheme: string) => `${scheme}***@`);
  const q = out.indexOf('?');
  if (q >= 0) {
    const hash = out.indexOf('#', q);
    const end = hash >= 0 ? hash : out.length;
    const query = out
      .slice(q + 1, end)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        const name = pair.slice(0, eq);
        let decoded = name;
        try {
          decoded = decodeURIComponent(name);
        } catch {
          // a malformed escape: compare the raw name
        }
        return SECRET_QUERY_PARAMS.has(decoded.toLowerCase()) ? `${name}=***` : pair;
      })
      .join('&');
    out = `${out.slice(0, q + 1)}${query}${out.slice(end)}`;
  }
  return out;
}

/**
 * A URL as it may be shown: without user info and without its query string (a remote's or a server's address;
 * what identifies it is the scheme, host and path). Text that is not a URL is returned as is.
 */
export function redactUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    const shown = u.toString();
    return shown.endsWith('/') && !url.replace(/[?#].*$/, '').endsWith('/') ? shown.slice(0, -1) : shown;
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1').replace(/[?#].*$/, '');
  }
}

/** The values of the secret environment variables that are set (4 characters or more: shorter ones are not masked). */
export function secretsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (const name of SECRET_ENV_VARS) {
    const v = env[name];
    if (v && v.length >= 4) out.push(v);
  }
  return out;
}

/**
 * Mask secrets in free text (a log line, an error message): the user info and credential query values of every URL
 * in it, connection-string secrets, and each of `secrets` (values of 4+ characters) plus the values of the secret
 * environment variables. Idempotent.
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of [...secrets, ...secretsFromEnv()]) if (s && s.length >= 4) out = out.split(s).join('***');
  if (out.includes('://')) out = out.replace(URL_IN_TEXT, maskUrl);
  // signed-query parameters that reach a message without their URL (`…&sig=…`)
  out = out.replace(
    /([?&](?:sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature)=)[^&\s"']*/gi,
    '$1***',
  );
  out = out.replace(SECRET_PAIRS, (m) => `${m.slice(0, m.indexOf('=') + 1)}***`);
  return out;
}

/**
 * Whether a URL carries a credential: a password in its user info (a user name alone is not one: `ssh://bob@host`)
 * or a credential query parameter (`sig=`, `X-Amz-Signature=`, `token=`…). Such a URL must not go to a tracked file.
 */
export function urlHasCredentials(url: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*@/i.test(url)) return true;
  const q = url.indexOf('?');
  if (q < 0) return false;
  return url
    .slice(q + 1)
    .replace(/#.*$/, '')
    .split('&')
    .some((pair) => {
      const name = pair.split('=')[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: compare the raw name
      }
      return pair.includes('=') && SECRET_QUERY_PARAMS.has(decoded.toLowerCase());
    });
}
