import t from "tap";
import { emulatorCommand } from "../../emulator/emulator-command.js";
import { parseLinkSpec, parseRate } from "../../emulator/link-spec.js";
import { defaultBurst, TokenBucket } from "../../emulator/token-bucket.js";

// The --link SPEC parser and the token bucket behind the link shaper (docs/emulator.md).
t.test("a full spec: rtt in ms, rates in bytes/s with decimal suffixes", async (t) => {
  t.same(parseLinkSpec("rtt=40,conn=20M,total=100M"), {
    rttMs: 40,
    connBytesPerSecond: 20_000_000,
    totalBytesPerSecond: 100_000_000,
  });
  t.same(parseLinkSpec(" total = 1.5G , rtt=12ms "), {
    rttMs: 12,
    connBytesPerSecond: Number.POSITIVE_INFINITY,
    totalBytesPerSecond: 1_500_000_000,
  });
  t.equal(parseRate("512k"), 512_000);
  t.equal(parseRate("2Mi"), 2 * 1024 * 1024);
  t.equal(parseRate("123456"), 123_456);
  t.same(parseLinkSpec("rtt=0"), {
    rttMs: 0,
    connBytesPerSecond: Number.POSITIVE_INFINITY,
    totalBytesPerSecond: Number.POSITIVE_INFINITY,
  });
});

t.test("bad specs are refused with a message that names the fault and the form", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["", /is empty/],
    ["rtt", /"rtt" is not KEY=VALUE/],
    ["=5", /"=5" is not KEY=VALUE/],
    ["rtt=forty", /rtt "forty" is not a number of milliseconds/],
    ["rtt=-1", /rtt "-1"/],
    ["conn=20MB", /"20MB" is not a rate/],
    ["conn=20 M", /"20 M" is not a rate/],
    ["total=0", /below 1 byte\/s/],
    ["speed=10M", /unknown key "speed"/],
    ["rtt=10,rtt=20", /"rtt" is given twice/],
    ["rtt=100000", /above 60000/],
  ];
  for (const [spec, why] of cases) {
    t.throws(() => parseLinkSpec(spec), { message: why }, spec);
    t.throws(() => parseLinkSpec(spec), { message: /use rtt=MS,conn=RATE,total=RATE/ }, `${spec}: usage`);
  }
});

t.test("the token bucket paces at its rate and keeps debts", async (t) => {
  let now = 0;
  const bucket = new TokenBucket(1_000_000, 100_000, () => now); // 1 MB/s: 1 byte per µs
  t.equal(bucket.take(1000), 1, "starts empty: 1000 bytes wait 1 ms");
  t.equal(bucket.take(1000), 2, "a second taker queues behind the first (FIFO reservation)");
  now = 2;
  t.equal(bucket.take(0), 0, "the debt is paid after 2 ms");
  now = 10_000; // idle 10 s: saves only `burst`
  t.equal(bucket.take(100_000), 0, "the burst goes at once");
  t.equal(bucket.take(500_000), 500, "then the rate again: 500 kB wait 500 ms");
  // Sleeping 520 ms instead of 500 (a loaded machine) is not lost: 20 ms of tokens are credited.
  now += 520;
  t.equal(bucket.take(30_000), 10, "the 20 ms overshoot counts as 20 kB already paid");
  // Over a long run the bytes let through never exceed rate × time + burst.
  let sent = 0;
  now = 20_000;
  const start = now;
  const fresh = new TokenBucket(1_000_000, 100_000, () => now);
  while (now - start < 5000) {
    const wait = fresh.take(65_536);
    now += wait + 0.3; // each wake-up a bit late
    sent += 65_536;
  }
  const rate = sent / ((now - start) / 1000);
  t.ok(rate <= 1_000_000 * 1.01 && rate >= 1_000_000 * 0.97, `long-run rate ${rate.toFixed(0)} B/s ≈ 1 MB/s`);
});

t.test("an idle bucket saves only idleBurst; a bucket in debt is credited up to burst", async (t) => {
  let now = 0;
  const bucket = new TokenBucket(1_000_000, 200_000, () => now, 10_000);
  now = 5_000; // idle 5 s
  t.equal(bucket.take(10_000), 0, "the idle burst goes at once");
  t.equal(bucket.take(90_000), 90, "then the rate: idle time was not saved up beyond 10 kB");
  now += 240; // the taker slept 240 ms instead of 90: 150 ms late
  t.equal(bucket.take(200_000), 50, "in debt, the 150 ms overslept are credited (150 kB of 200 kB)");
});

t.test("an unlimited bucket never waits; bad arguments throw", async (t) => {
  const free = new TokenBucket(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  t.equal(free.take(1e12), 0);
  t.throws(() => new TokenBucket(0, 1), RangeError);
  t.throws(() => new TokenBucket(1, -1), RangeError);
  t.equal(defaultBurst(100_000_000, 65_536), 20_000_000, "200 ms of the rate");
  t.equal(defaultBurst(100_000, 65_536), 65_536, "at least a slice");
});

t.test(
  "`hubpush emulator --link` with a bad spec is a usage error (exit 2) that names the fault",
  async (t) => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await emulatorCommand(["--port", "0", "--link", "rtt=40,conn=20MB"]);
    } finally {
      process.stderr.write = write;
    }
    t.equal(code, 2);
    t.match(written.join(""), /Invalid link spec "rtt=40,conn=20MB": "20MB" is not a rate/);
    t.match(written.join(""), /--link rtt=MS,conn=BYTES_PER_S,total=BYTES_PER_S/, "the usage lists --link");
  },
);
