/** What GET /v1/ui/status, POST /v1/ui/start and /v1/ui/stop answer. */
export interface UiStatus {
  readonly running: boolean;
  readonly port: number | null;
  /** The page's URL with its token; null when off. */
  readonly url: string | null;
}

/** What the control routes need to turn the status page on and off (ControlContext.ui). */
export interface UiControl {
  start(port: number | null): Promise<UiStatus>;
  stop(): Promise<UiStatus>;
  status(): UiStatus;
}
