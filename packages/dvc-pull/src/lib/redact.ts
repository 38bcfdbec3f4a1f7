/** Keep secrets out of everything printed: URLs lose user info and query strings, known secret values become ***. */
export function redactUrl(url: string): string {
  try {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    u.search = '';
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '');
  }
}

export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  // SAS signatures and signed query strings anywhere in a message.
  out = out.replace(
    /([?&](?:sig|se|sp|sv|st|spr|srt|ss|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s"']*/gi,
    '$1***',
  );
  out = out.replace(/(AccountKey=)[^;\s"']*/gi, '$1***');
  out = out.replace(/(SharedAccessSignature=)[^;\s"']*/gi, '$1***');
  return out;
}
