/** Typed errors thrown by services; the web layer turns them into problem+json or a readable page. */

export type FieldErrors = Record<string, string>;

export abstract class VigilError extends Error {
  abstract readonly status: number;
  /** A stable slug, used in problem+json `type` and as the locale key of the message. */
  abstract readonly code: string;
}

export class Invalid extends VigilError {
  readonly status = 422;
  readonly code = "invalid";
  constructor(
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
  }
}

export class Unauthenticated extends VigilError {
  readonly status = 401;
  readonly code = "unauthenticated";
  constructor(message = "authentication required") {
    super(message);
  }
}

export class Forbidden extends VigilError {
  readonly status = 403;
  readonly code = "forbidden";
  constructor(message = "you are not allowed to do this") {
    super(message);
  }
}

export class NotFound extends VigilError {
  readonly status = 404;
  readonly code = "not-found";
  constructor(message = "not found") {
    super(message);
  }
}

export class Conflict extends VigilError {
  readonly status = 409;
  readonly code = "conflict";
  constructor(message: string) {
    super(message);
  }
}

export class TooManyRequests extends VigilError {
  readonly status = 429;
  readonly code = "too-many-requests";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class Sealed extends VigilError {
  readonly status = 503;
  readonly code = "sealed";
  constructor(message = "the vault is sealed: an administrator must unseal it first") {
    super(message);
  }
}
