/**
 * Secrets in generic options and connection strings. A user mapping's `password`, a subscription's
 * `password=` in its connection string, a server's `sslpassword` … must never be printed, written to
 * a plan or migration file, or generated into SQL. They are redacted where they are read
 * (introspection), so no catalog holds them: the value becomes `SECRET_PLACEHOLDER`. Two catalogs
 * then compare secret options by presence only, and generated SQL sets the placeholder, to be
 * replaced by the real value out of band (`secretNotes` says how).
 */

/**
 * What a secret value reads as in a catalog and is generated as in SQL. Not a usable credential:
 * a connection made with it fails authentication, which is the intent until the real one is set.
 */
export const SECRET_PLACEHOLDER = '<redacted: set out of band>';

/**
 * Option keys whose values are secrets: any key containing `password`, `passwd`, `passphrase`,
 * `secret`, `token` or `credential`, plus `passfile`, `sslkey`, `private_key`, `api_key`/`apikey`
 * (libpq's keywords, PostgreSQL docs "Parameter Key Words", and the names FDWs use for credentials).
 * User names (`user`) are identifiers, not credentials, and are kept.
 */
export function isSecretOption(key: string): boolean {
  return /password|passwd|passphrase|secret|token|credential|passfile|sslkey|private_?key|api_?key/i.test(key);
}

/** Generic option items (`key=value`, as `pg_options_to_table` / `*options` arrays give them) with secret values replaced. */
export function redactOptions(items: readonly string[] | null | undefined): string[] {
  return (items ?? []).map((it) => {
    const eq = it.indexOf('=');
    if (eq < 0) return it;
    const key = it.slice(0, eq);
    return isSecretOption(key) ? `${key}=${SECRET_PLACEHOLDER}` : it;
  });
}

/** True when an option item (`key=value`) holds a secret (its value is the placeholder). */
export function isSecretItem(item: string): boolean {
  const eq = item.indexOf('=');
  return eq >= 0 && isSecretOption(item.slice(0, eq));
}

/**
 * A libpq connection string with every secret value replaced by `SECRET_PLACEHOLDER`, in a
 * normalised form: keyword/value pairs as `key=value` separated by one space, values quoted only
 * when needed (PostgreSQL docs "Connection Strings", keyword/value form); a URI keeps its form,
 * with a password in its user info and secret query parameters replaced (percent-encoded).
 * @returns the redacted string, or null when `conninfo` cannot be parsed (never the input itself)
 */
export function redactConninfo(conninfo: string): string | null {
  const s = conninfo.trim();
  if (/^postgres(ql)?:\/\//i.test(s)) return redactUri(s);
  const pairs = parseKeywordValue(s);
  if (!pairs) return null;
  return pairs.map(([k, v]) => `${k}=${quoteConninfoValue(isSecretOption(k) ? SECRET_PLACEHOLDER : v)}`).join(' ');
}

/** Keyword/value pairs of a connection string, or null when it is malformed (libpq's `conninfo_parse` rules). */
function parseKeywordValue(s: string): [string, string][] | null {
  const out: [string, string][] = [];
  let i = 0;
  const ws = () => { while (i < s.length && /\s/.test(s[i]!)) i++; };
  for (;;) {
    ws();
    if (i >= s.length) return out;
    let key = '';
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i]!)) key += s[i++];
    ws();
    if (s[i] !== '=' || key === '') return null;
    i++;
    ws();
    let value = '';
    if (s[i] === "'") {
      i++;
      for (;;) {
        if (i >= s.length) return null;
        const c = s[i++]!;
        if (c === '\\' && i < s.length) value += s[i++];
        else if (c === "'") break;
        else value += c;
      }
    } else {
      while (i < s.length && !/\s/.test(s[i]!)) {
        const c = s[i++]!;
        value += c === '\\' && i < s.length ? s[i++] : c;
      }
    }
    out.push([key, value]);
  }
}

function quoteConninfoValue(v: string): string {
  return v === '' || /[\s'\\]/.test(v) ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : v;
}

/** `postgresql://user:password@host/db?sslpassword=…` with the password and secret parameters replaced. */
function redactUri(uri: string): string {
  const placeholder = encodeURIComponent(SECRET_PLACEHOLDER);
  const schemeEnd = uri.indexOf('://') + 3;
  const rest = uri.slice(schemeEnd);
  const authEnd = rest.search(/[/?]/);
  let authority = authEnd < 0 ? rest : rest.slice(0, authEnd);
  let tail = authEnd < 0 ? '' : rest.slice(authEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) authority = `${userinfo.slice(0, colon)}:${placeholder}${authority.slice(at)}`;
  }
  const q = tail.indexOf('?');
  if (q >= 0) {
    const params = tail.slice(q + 1).split('&').map((p) => {
      const eq = p.indexOf('=');
      const raw = eq < 0 ? p : p.slice(0, eq);
      let key = raw;
      try { key = decodeURIComponent(raw); } catch { /* malformed escape: the raw key */ }
      return eq >= 0 && isSecretOption(key) ? `${p.slice(0, eq)}=${placeholder}` : p;
    });
    tail = `${tail.slice(0, q)}?${params.join('&')}`;
  }
  return uri.slice(0, schemeEnd) + authority + tail;
}

/**
 * The secret values a statement of a schema or migration file sets: option values whose name is
 * secret (`OPTIONS (password '…')` of CREATE/ALTER USER MAPPING, SERVER, FOREIGN DATA WRAPPER,
 * FOREIGN TABLE) and the secrets of a CREATE/ALTER SUBSCRIPTION connection string, found in
 * PostgreSQL's parse tree (libpg-query JSON, `DefElem` nodes and `conninfo` fields). The CLI
 * registers them so that an error message echoing one (a syntax error near it) is redacted too.
 */
export function secretValuesOf(node: unknown): string[] {
  const out = new Set<string>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) { n.forEach(visit); return; }
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, any>;
    const def = o.DefElem as { defname?: string; arg?: { String?: { sval?: string } } } | undefined;
    if (def?.defname && isSecretOption(def.defname) && typeof def.arg?.String?.sval === 'string') out.add(def.arg.String.sval);
    for (const key of ['CreateSubscriptionStmt', 'AlterSubscriptionStmt']) {
      const conninfo = (o[key] as { conninfo?: unknown } | undefined)?.conninfo;
      if (typeof conninfo === 'string') for (const v of conninfoSecrets(conninfo)) out.add(v);
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(node);
  return [...out].filter((v) => v !== '' && v !== SECRET_PLACEHOLDER && v !== encodeURIComponent(SECRET_PLACEHOLDER));
}

/** The secret values of a connection string (keyword/value or URI form). */
function conninfoSecrets(conninfo: string): string[] {
  const s = conninfo.trim();
  if (!/^postgres(ql)?:\/\//i.test(s)) return (parseKeywordValue(s) ?? []).filter(([k]) => isSecretOption(k)).map(([, v]) => v);
  const out: string[] = [];
  const rest = s.slice(s.indexOf('://') + 3);
  const authEnd = rest.search(/[/?]/);
  const authority = authEnd < 0 ? rest : rest.slice(0, authEnd);
  const at = authority.lastIndexOf('@');
  const colon = at < 0 ? -1 : authority.slice(0, at).indexOf(':');
  if (colon >= 0) out.push(authority.slice(colon + 1, at));
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const p of rest.slice(q + 1).split('&')) {
      const eq = p.indexOf('=');
      if (eq >= 0 && isSecretOption(p.slice(0, eq))) out.push(p.slice(eq + 1));
    }
  }
  return out.flatMap((v) => { try { return [v, decodeURIComponent(v)]; } catch { return [v]; } });
}
