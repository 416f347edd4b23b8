import { createHash } from 'node:crypto';

/**
 * SHA-256 of a text (encoded as UTF-8) or of raw bytes, as 64 lower-case hex digits.
 * This is the `checksum` recorded in the tracking table for a migration file (over the file's bytes as read).
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a text (UTF-8) or bytes, base64-encoded (the `h1:` hashes of `schemaplan.sum`). */
export function sha256Base64(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}
