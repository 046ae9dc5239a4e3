import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../domain/errors.js';

/**
 * Opaque, tamper-proof list cursors: the position (DynamoDB's last evaluated key) and the query it
 * belongs to, signed with HMAC-SHA256. A forged cursor, or one from another client or query, is refused.
 */
export class CursorCodec {
  constructor(private readonly secret: () => Promise<string>) {}

  async encode(position: Record<string, unknown>, scope: string): Promise<string> {
    const payload = Buffer.from(JSON.stringify({ p: position, s: scope })).toString('base64url');
    return `${payload}.${await this.sign(payload)}`;
  }

  async decode(cursor: string, scope: string): Promise<Record<string, unknown>> {
    const invalid = new ApiError('validation_failed', 'The cursor is not valid for this query.', [
      { field: 'query.cursor', message: 'must be a nextCursor returned by this query' },
    ]);
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid;
    const expected = Buffer.from(await this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      p: Record<string, unknown>;
      s: string;
    };
    if (decoded.s !== scope) throw invalid;
    return decoded.p;
  }

  private async sign(payload: string): Promise<string> {
    return createHmac('sha256', await this.secret())
      .update(payload)
      .digest('base64url');
  }
}
