/**
 * An error the emulator answers with the Hub's error shape: status, JSON `{"error": …}`,
 * `X-Error-Code` and `X-Error-Message`. Handlers throw it; the dispatcher turns it into a response.
 */
export class HubError extends Error {
  readonly status: number;
  readonly errorCode: string;
  /** Extra top-level fields for the JSON body (e.g. `url` on a 409 from create-repo). */
  readonly extraBody: Readonly<Record<string, unknown>>;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    errorCode: string,
    message: string,
    extra: { body?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "HubError";
    this.status = status;
    this.errorCode = errorCode;
    this.extraBody = extra.body ?? {};
    this.headers = extra.headers ?? {};
  }
}
