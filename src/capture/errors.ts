import { VigilError } from "../core/index.ts";

/** The page did not finish loading (with its resources) within VIGIL_CAPTURE_TIMEOUT_SECONDS. */
export class CaptureTimeout extends VigilError {
  readonly status = 504;
  readonly code = "capture-timeout";
  constructor(readonly seconds: number) {
    super(`the page did not finish loading within ${seconds} seconds: nothing was kept`);
  }
}

/** The page and its resources passed VIGIL_CAPTURE_MAX_BYTES. */
export class CaptureTooLarge extends VigilError {
  readonly status = 413;
  readonly code = "capture-too-large";
  constructor(readonly limit: number) {
    super(`the page and its resources are larger than the capture limit of ${limit} bytes: nothing was kept`);
  }
}

/** The site failed: the connection was refused or reset, or the page could not be read. */
export class CaptureFailed extends VigilError {
  readonly status = 502;
  readonly code = "capture-failed";
  /** Chromium's network error (ERR_CONNECTION_REFUSED…), or the name that did not resolve after a redirect. */
  constructor(
    message: string,
    readonly detail: string | null = null,
  ) {
    super(message);
  }
}
