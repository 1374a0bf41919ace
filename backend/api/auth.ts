/**
 * API keys (docs/query-api.md "Authentication"): `Authorization: Bearer <key>`.
 *
 * - VIGIL_WRITE_KEY guards ingest and admin routes and also grants read;
 * - VIGIL_READ_KEY guards the read routes (Grafana, queries). Once any key is set every read route needs
 *   a key (read or write): a server with keys never serves data anonymously;
 * - with no key at all the server is open but binds to 127.0.0.1 only (see server.ts);
 * - a read key without a write key is refused at start-up (it would leave ingest open).
 *
 * Keys are compared in constant time (SHA-256 digests, crypto.timingSafeEqual).
 */
import * as crypto from 'crypto';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiError } from '../service/errors';

export interface AuthConfig {
  readKey: string | null;
  writeKey: string | null;
}

export class AuthConfigError extends Error {}

export function checkAuthConfig(cfg: AuthConfig): void {
  if (cfg.readKey !== null && cfg.writeKey === null) {
    throw new AuthConfigError('VIGIL_READ_KEY is set but VIGIL_WRITE_KEY is not: ingest and admin routes would be open; set VIGIL_WRITE_KEY too');
  }
  if (cfg.readKey !== null && cfg.readKey === cfg.writeKey) {
    throw new AuthConfigError('VIGIL_READ_KEY and VIGIL_WRITE_KEY are the same; use two different keys');
  }
}

export const authEnabled = (cfg: AuthConfig) => cfg.readKey !== null || cfg.writeKey !== null;

const digest = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();

function matches(given: Buffer, key: string | null): boolean {
  return key !== null && crypto.timingSafeEqual(given, digest(key));
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The refusal for an Authorization header at a level, or null when access is granted. */
export function checkAccess(level: 'read' | 'write', cfg: AuthConfig, header: string | undefined): ApiError | null {
  if (!authEnabled(cfg)) return null;
  if (!header) return new ApiError(401, 'unauthorized', "missing API key: send 'Authorization: Bearer <key>'", 'header.authorization');
  const m = BEARER.exec(header);
  if (!m) return new ApiError(401, 'unauthorized', "malformed Authorization header: expected 'Bearer <key>'", 'header.authorization');
  const given = digest(m[1]);
  if (matches(given, cfg.writeKey)) return null;
  if (matches(given, cfg.readKey)) {
    if (level === 'read') return null;
    return new ApiError(403, 'forbidden', 'this key can only read; ingest and admin routes need the write key (VIGIL_WRITE_KEY)', 'header.authorization');
  }
  return new ApiError(401, 'unauthorized', 'wrong API key', 'header.authorization');
}

export function requireAccess(level: 'read' | 'write', cfg: AuthConfig): RequestHandler {
  if (!authEnabled(cfg)) return (_req, _res, next) => next();
  return (req: Request, _res: Response, next: NextFunction) => {
    const refused = checkAccess(level, cfg, req.headers.authorization);
    next(refused ?? undefined);
  };
}
