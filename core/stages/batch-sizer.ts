/**
 * The adaptive commit size: grows one step after a full commit that took less than `slowMs`,
 * shrinks one step after a failure or a slow commit (the Hub's own uploader does the same).
 */
export class BatchSizer {
  readonly #sizes: readonly number[];
  readonly #slowMs: number;
  #index: number;

  constructor(sizes: readonly number[], initialIndex: number, slowMs: number) {
    this.#sizes = sizes;
    this.#slowMs = slowMs;
    this.#index = Math.min(Math.max(0, initialIndex), sizes.length - 1);
  }

  get target(): number {
    return this.#sizes[this.#index] ?? 1;
  }

  /** The target after a fast success of `files` files: what the next batch is sized for before the answer. */
  targetAfterFast(files: number): number {
    if (files < this.target) return this.target;
    return this.#sizes[Math.min(this.#index + 1, this.#sizes.length - 1)] ?? this.target;
  }

  onSuccess(files: number, durationMs: number): void {
    if (durationMs >= this.#slowMs) this.#step(-1);
    else if (files >= this.target) this.#step(1);
  }

  onFailure(): void {
    this.#step(-1);
  }

  #step(delta: number): void {
    this.#index = Math.min(Math.max(0, this.#index + delta), this.#sizes.length - 1);
  }
}
