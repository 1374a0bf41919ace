/**
 * Errors the service raises for the API to answer with: an HTTP status, a stable code, a message a user
 * can act on and where the problem is (`body[3].timestamp`, `columns.features`, `path.model`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Headers sent with the error answer (Retry-After on a 429). */
  headers: Record<string, string> = {};

  toJSON() {
    return { error: { code: this.code, message: this.message, where: this.where } };
  }
}

export const badRequest = (code: string, message: string, where: string | null = null) => new ApiError(400, code, message, where);
export const notFound = (code: string, message: string, where: string | null = null) => new ApiError(404, code, message, where);
export const conflict = (code: string, message: string, where: string | null = null) => new ApiError(409, code, message, where);

export function unknownModel(name: string): ApiError {
  return notFound('unknown_model', `model '${name}' not found`, 'path.model');
}
