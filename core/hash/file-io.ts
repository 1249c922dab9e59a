import {
  type BigIntStats,
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  readSync,
  stat,
  statSync,
} from "node:fs";
import { promisify } from "node:util";

/**
 * The five descriptor calls hashFile makes, either synchronous (a worker thread, whose event loop
 * has nothing else to do: no round trip through libuv's shared thread pool per call) or through
 * the thread pool (the main thread, which must not block). Sync calls return plain values, which
 * `await` accepts as they are.
 */
export interface FileIo {
  readonly sync: boolean;
  open(path: string): number | Promise<number>;
  fstat(fd: number): BigIntStats | Promise<BigIntStats>;
  read(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): number | Promise<number>;
  stat(path: string): BigIntStats | Promise<BigIntStats>;
  close(fd: number): void | Promise<void>;
}

// O_NONBLOCK: a path swapped for a FIFO since the scan must not block the open.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const readAsync = promisify(read);
const statAsync = promisify(stat);
const closeAsync = promisify(close);

export const syncIo: FileIo = {
  sync: true,
  open: (path) => openSync(path, OPEN_FLAGS),
  fstat: (fd) => fstatSync(fd, { bigint: true }),
  read: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  stat: (path) => statSync(path, { bigint: true }),
  close: (fd) => closeSync(fd),
};

export const asyncIo: FileIo = {
  sync: false,
  open: (path) => openAsync(path, OPEN_FLAGS),
  fstat: (fd) => fstatAsync(fd, { bigint: true }),
  read: async (fd, buffer, offset, length, position) =>
    (await readAsync(fd, buffer, offset, length, position)).bytesRead,
  stat: (path) => statAsync(path, { bigint: true }),
  close: (fd) => closeAsync(fd),
};
