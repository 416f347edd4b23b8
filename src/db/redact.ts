/**
 * Password redaction for anything that is printed, logged or written: connection URLs and free
 * text that may embed one (driver error messages sometimes echo the connection string).
 */

/**
 * Returns `url` with the password replaced by `***`. Works on `postgres://` and `postgresql://`
 * URLs, including a `password=` query parameter; anything else is returned unchanged.
 *
 * @example redactUrl('postgres://app:s3cret@db:5432/prod') === 'postgres://app:***@db:5432/prod'
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^(postgres(?:ql)?:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&]*/gi, '$1***')
    // A malformed URL can carry a password elsewhere (e.g. a mistyped "?" for ":" before "pw@host"):
    // whatever precedes an "@" after a ":", "?" or "&" is masked too.
    .replace(/([?&:])(?!\*\*\*@)[^/?&:@\s]*@/g, '$1***@');
}

/** Removes every occurrence of each secret (e.g. the password of the current URL) from `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length > 0) out = out.split(s).join('***');
  return out.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
}

/** Passwords this process has used to connect (URL, PGPASSWORD, password file), for {@link redactText}'s callers. */
const registry = new Set<string>();

/**
 * Registers a secret (and its percent-decoded form) so that {@link rememberedSecrets} returns it; the
 * CLI's output functions redact every registered secret from everything they print.
 */
export function rememberSecret(secret: string): void {
  if (!secret) return;
  registry.add(secret);
  try {
    registry.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded
  }
  registry.add(encodeURIComponent(secret));
}

/** Every secret registered with {@link rememberSecret}, longest first. */
export function rememberedSecrets(): string[] {
  return [...registry].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}
