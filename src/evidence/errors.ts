import { VigilError } from "../core/index.ts";

/** An upload over VIGIL_MAX_UPLOAD_BYTES: refused from its declared length, or as soon as it passes the limit. */
export class TooLarge extends VigilError {
  readonly status = 413;
  readonly code = "too-large";
  constructor(readonly limit: number) {
    super(`the file is larger than the limit of ${limit} bytes`);
  }
}
