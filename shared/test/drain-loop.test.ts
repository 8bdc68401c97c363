import { describe, expect, it } from "vitest";
import {
  DrainLoop,
  type DrainLoopOptions,
  type DrainResult,
  type DrainTimers,
  TRANSITIONS,
} from "../src/kit/drain-loop.ts";

// The drain loop against a fake clock and a fake step: no database, every transition of its table.

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakeTimers implements DrainTimers {
  at = 0;
  #next = 1;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();
  now = () => this.at;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.#pending.set(id, { at: this.at + ms, fn });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.#pending.delete(handle as number);
  };
  get armed() {
    return this.#pending.size;
  }
  /** Moves the clock on, firing each timer due on the way at its own time. */
  async advance(ms: number) {
    const end = this.at + ms;
    for (;;) {
      const due = [...this.#pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#pending.delete(due[0]);
      this.at = due[1].at;
      due[1].fn();
      await flush();
    }
    this.at = end;
    await flush();
  }
}

interface Batch {
  startedAt: number;
  finish(result: DrainResult): Promise<void>;
  fail(err?: unknown): Promise<void>;
}

/** A step that waits for the test to finish each batch it starts. */
function fakeStep(timers: FakeTimers) {
  const inFlight: Batch[] = [];
  let started = 0;
  const step = () =>
    new Promise<DrainResult>((resolve, reject) => {
      started++;
      const batch: Batch = {
        startedAt: timers.at,
        finish: async (result) => {
          inFlight.splice(inFlight.indexOf(batch), 1);
          resolve(result);
          await flush();
        },
        fail: async (err = new Error("the database is away")) => {
          inFlight.splice(inFlight.indexOf(batch), 1);
          reject(err);
          await flush();
        },
      };
      inFlight.push(batch);
    });
  return {
    step,
    inFlight,
    get started() {
      return started;
    },
  };
}

const FULL: DrainResult = { claimed: 10, full: true };
const SHORT: DrainResult = { claimed: 3, full: false };
const MORE: DrainResult = { claimed: 3, full: false, more: true };

function setup(options: Partial<DrainLoopOptions> = {}) {
  const timers = new FakeTimers();
  const fake = fakeStep(timers);
  const errors: unknown[] = [];
  const loop = new DrainLoop({
    step: fake.step,
    pauseMs: 1_000,
    onError: (err) => errors.push(err),
    timers,
    ...options,
  });
  return { loop, timers, fake, errors, first: () => fake.inFlight[0]! };
}

type Setup = ReturnType<typeof setup>;

/** Started, one loop with a batch in flight. */
async function draining(options: Partial<DrainLoopOptions> = {}): Promise<Setup> {
  const t = setup(options);
  t.loop.start();
  t.loop.wake();
  await flush();
  expect(t.loop.mode).toBe("draining");
  expect(t.fake.inFlight).toHaveLength(1);
  return t;
}

/** A full batch came back: with concurrency 2, two loops with a batch in flight each. */
async function backlog(options: Partial<DrainLoopOptions> = {}): Promise<Setup> {
  const t = await draining({ concurrency: 2, ...options });
  await t.first().finish(FULL);
  expect(t.loop.mode).toBe("backlog");
  return t;
}

/** A batch failed; nothing in flight. */
async function paused(options: Partial<DrainLoopOptions> = {}): Promise<Setup> {
  const t = await draining(options);
  await t.first().fail();
  expect(t.loop.mode).toBe("paused");
  return t;
}

const cases: Record<string, { what: string; run: () => Promise<void> }> = {
  "new --start--> idle": {
    what: "claims nothing, and arms the sweep",
    run: async () => {
      const t = setup({ sweepEveryMs: 500 });
      t.loop.start();
      expect(t.loop.mode).toBe("idle");
      await t.timers.advance(499);
      expect(t.fake.started).toBe(0);
      await t.timers.advance(1);
      expect(t.fake.started).toBe(1);
    },
  },
  "new --drain--> new": {
    what: "a caller drains before start, and wakes are still not heard",
    run: async () => {
      const t = setup();
      const drained = t.loop.drainOnce();
      expect(t.loop.mode).toBe("new");
      t.loop.wake();
      await flush();
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(SHORT);
      expect(await drained).toBe(3);
    },
  },
  "new --full--> new": {
    what: "the caller's loop claims again after a full batch",
    run: async () => {
      const t = setup({ concurrency: 4 });
      const drained = t.loop.drainOnce();
      await t.first().finish(FULL);
      expect(t.loop.mode).toBe("new");
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(SHORT);
      expect(await drained).toBe(13);
    },
  },
  "new --more--> new": {
    what: "the caller's loop claims again after a batch that knows more is due",
    run: async () => {
      const t = setup();
      const drained = t.loop.drainOnce();
      await t.first().finish(MORE);
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(SHORT);
      expect(await drained).toBe(6);
    },
  },
  "new --stop--> stopped": {
    what: "never started: nothing to wait for, and nothing drains afterwards",
    run: async () => {
      const t = setup();
      await t.loop.stop();
      expect(t.loop.mode).toBe("stopped");
      expect(await t.loop.drainOnce()).toBe(0);
      expect(t.fake.started).toBe(0);
    },
  },

  "idle --wake--> draining": {
    what: "starts one loop",
    run: async () => {
      const t = setup({ concurrency: 3 });
      t.loop.start();
      t.loop.wake();
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
    },
  },
  "idle --drain--> draining": {
    what: "the caller's loop claims, and resolves to what it handled",
    run: async () => {
      const t = setup();
      t.loop.start();
      const drained = t.loop.drainOnce();
      expect(t.loop.mode).toBe("draining");
      await t.first().finish(SHORT);
      expect(await drained).toBe(3);
      expect(t.loop.mode).toBe("idle");
    },
  },
  "idle --full--> backlog": {
    what: "a caller's loop from before start claims again, and one more loop joins in",
    run: async () => {
      const t = setup({ concurrency: 2 });
      const drained = t.loop.drainOnce();
      t.loop.start();
      await t.first().finish(FULL);
      expect(t.loop.mode).toBe("backlog");
      expect(t.fake.inFlight).toHaveLength(2);
      await t.fake.inFlight[1]!.finish(SHORT);
      await t.first().finish(SHORT);
      expect(await drained).toBe(13);
    },
  },
  "idle --more--> draining": {
    what: "a caller's loop from before start claims again",
    run: async () => {
      const t = setup();
      const drained = t.loop.drainOnce();
      t.loop.start();
      await t.first().finish(MORE);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(SHORT);
      expect(await drained).toBe(6);
    },
  },
  "idle --stop--> stopped": {
    what: "disarms the sweep",
    run: async () => {
      const t = setup({ sweepEveryMs: 100 });
      t.loop.start();
      await t.loop.stop();
      expect(t.loop.mode).toBe("stopped");
      await t.timers.advance(1_000);
      expect(t.fake.started).toBe(0);
      expect(t.timers.armed).toBe(0);
    },
  },

  "draining --wake--> draining": {
    what: "a wake during a quick batch starts no second loop; the running one claims again after it",
    run: async () => {
      const t = await draining({ concurrency: 2, slowBatchMs: 200 });
      t.loop.wake();
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(SHORT);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
      expect(t.fake.started).toBe(2);
    },
  },
  "draining --drain--> draining": {
    what: "the caller's loop claims beside the running one",
    run: async () => {
      const t = await draining();
      const drained = t.loop.drainOnce();
      expect(t.fake.inFlight).toHaveLength(2);
      await t.fake.inFlight[1]!.finish(SHORT);
      expect(await drained).toBe(3);
      expect(t.loop.mode).toBe("draining");
    },
  },
  "draining --full--> backlog": {
    what: "the loop claims again at once and one more loop joins in",
    run: async () => {
      const t = await draining({ concurrency: 3 });
      await t.first().finish(FULL);
      expect(t.loop.mode).toBe("backlog");
      expect(t.fake.inFlight).toHaveLength(2);
    },
  },
  "draining --more--> draining": {
    what: "a batch that freed a successor: the loop claims again at once",
    run: async () => {
      const t = await draining({ concurrency: 2 });
      await t.first().finish(MORE);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
      expect(t.fake.started).toBe(2);
    },
  },
  "draining --short--> draining": {
    what: "a short batch ends its loop while another runs",
    run: async () => {
      const t = await draining({ concurrency: 2, slowBatchMs: 200 });
      await t.timers.advance(200);
      t.loop.wake();
      expect(t.fake.inFlight).toHaveLength(2);
      await t.fake.inFlight[1]!.finish(SHORT);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
    },
  },
  "draining --drained--> idle": {
    what: "a short batch ends the last loop",
    run: async () => {
      const t = await draining();
      await t.first().finish(SHORT);
      expect(t.loop.mode).toBe("idle");
      expect(t.fake.started).toBe(1);
    },
  },
  "draining --failed--> paused": {
    what: "reports the error and claims nothing more",
    run: async () => {
      const t = await draining();
      await t.first().fail();
      expect(t.loop.mode).toBe("paused");
      expect(t.errors).toHaveLength(1);
      await t.timers.advance(999);
      expect(t.fake.started).toBe(1);
    },
  },
  "draining --stop--> stopped": {
    what: "the batch in flight finishes, and its loop claims no more",
    run: async () => {
      const t = await draining();
      t.loop.wake();
      const stopped = t.loop.stop();
      expect(t.loop.mode).toBe("stopped");
      await t.first().finish(FULL);
      await stopped;
      expect(t.fake.started).toBe(1);
    },
  },

  "backlog --wake--> backlog": {
    what: "adds a loop while under the concurrency",
    run: async () => {
      const t = await backlog({ concurrency: 3 });
      t.loop.wake();
      expect(t.loop.mode).toBe("backlog");
      expect(t.fake.inFlight).toHaveLength(3);
    },
  },
  "backlog --drain--> backlog": {
    what: "the caller's loop claims beside the others",
    run: async () => {
      const t = await backlog();
      const drained = t.loop.drainOnce();
      expect(t.loop.mode).toBe("backlog");
      expect(t.fake.inFlight).toHaveLength(3);
      await t.fake.inFlight[2]!.finish(SHORT);
      expect(await drained).toBe(3);
    },
  },
  "backlog --full--> backlog": {
    what: "the loop claims again at once, and loops join in up to the concurrency",
    run: async () => {
      const t = await backlog({ concurrency: 3 });
      await t.first().finish(FULL);
      expect(t.loop.mode).toBe("backlog");
      expect(t.fake.inFlight).toHaveLength(3);
    },
  },
  "backlog --more--> draining": {
    what: "a short batch with more due: the loop claims again, no more loops join",
    run: async () => {
      const t = await backlog({ concurrency: 3 });
      await t.first().finish(MORE);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(2);
    },
  },
  "backlog --short--> draining": {
    what: "a short batch ends its loop; the other runs on",
    run: async () => {
      const t = await backlog();
      await t.first().finish(SHORT);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
    },
  },
  "backlog --drained--> idle": {
    what: "a short batch ends the last loop",
    run: async () => {
      const t = await draining({ concurrency: 1 });
      await t.first().finish(FULL);
      expect(t.loop.mode).toBe("backlog");
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(SHORT);
      expect(t.loop.mode).toBe("idle");
    },
  },
  "backlog --failed--> paused": {
    what: "reports the error and pauses",
    run: async () => {
      const t = await backlog();
      await t.first().fail();
      expect(t.loop.mode).toBe("paused");
      expect(t.errors).toHaveLength(1);
    },
  },
  "backlog --stop--> stopped": {
    what: "waits for every batch in flight",
    run: async () => {
      const t = await backlog();
      let done = false;
      const stopped = t.loop.stop().then(() => {
        done = true;
      });
      await t.first().finish(FULL);
      expect(done).toBe(false);
      await t.first().finish(FULL);
      await stopped;
      // The first batch and the two that followed it, none after the stop.
      expect(t.fake.started).toBe(3);
    },
  },

  "paused --wake--> paused": {
    what: "claims nothing",
    run: async () => {
      const t = await paused();
      for (let i = 0; i < 10; i++) t.loop.wake();
      await t.timers.advance(500);
      expect(t.fake.started).toBe(1);
    },
  },
  "paused --drain--> paused": {
    what: "a caller's drain claims one batch; the pause holds for it too",
    run: async () => {
      const t = await paused();
      const drained = t.loop.drainOnce();
      expect(t.fake.inFlight).toHaveLength(1);
      await t.first().finish(FULL);
      expect(await drained).toBe(10);
      expect(t.loop.mode).toBe("paused");
    },
  },
  "paused --full--> paused": {
    what: "a full batch that was in flight when another failed ends its loop",
    run: async () => {
      const t = await backlog();
      await t.fake.inFlight[1]!.fail();
      await t.first().finish(FULL);
      expect(t.loop.mode).toBe("paused");
      expect(t.fake.inFlight).toHaveLength(0);
    },
  },
  "paused --more--> paused": {
    what: "a batch with more due that was in flight when another failed ends its loop",
    run: async () => {
      const t = await backlog();
      await t.fake.inFlight[1]!.fail();
      await t.first().finish(MORE);
      expect(t.loop.mode).toBe("paused");
      expect(t.fake.inFlight).toHaveLength(0);
    },
  },
  "paused --failed--> paused": {
    what: "another failure starts the pause again",
    run: async () => {
      const t = await backlog();
      await t.fake.inFlight[1]!.fail();
      await t.timers.advance(500);
      await t.first().fail();
      await t.timers.advance(999);
      expect(t.loop.mode).toBe("paused");
      expect(t.fake.started).toBe(3);
      await t.timers.advance(1);
      expect(t.fake.started).toBe(4);
    },
  },
  "paused --timer--> draining": {
    what: "the pause over, one loop claims again",
    run: async () => {
      const t = await paused({ concurrency: 2 });
      await t.timers.advance(1_000);
      expect(t.loop.mode).toBe("draining");
      expect(t.fake.inFlight).toHaveLength(1);
    },
  },
  "paused --stop--> stopped": {
    what: "disarms the pause",
    run: async () => {
      const t = await paused();
      await t.loop.stop();
      await t.timers.advance(5_000);
      expect(t.fake.started).toBe(1);
      expect(t.timers.armed).toBe(0);
    },
  },
};

const name = (t: { from: string; on: string; to: string }) => `${t.from} --${t.on}--> ${t.to}`;

describe("the drain loop's transitions", () => {
  for (const t of TRANSITIONS) {
    const c = cases[name(t)];
    it(`${name(t)}: ${c?.what ?? "(no test)"}`, async () => {
      expect(c, `a test for ${name(t)}`).toBeDefined();
      await c!.run();
    });
  }

  it("every row of the table has its test, and every test its row", () => {
    expect(Object.keys(cases).sort()).toEqual(TRANSITIONS.map(name).sort());
    expect(new Set(TRANSITIONS.map((t) => `${t.from} ${t.on}`)).size).toBe(TRANSITIONS.length);
  });
});

describe("the drain loop", () => {
  it("loses no wake: one during a batch makes the loop claim again after it", async () => {
    const t = await draining();
    t.loop.wake();
    await t.first().finish(SHORT);
    expect(t.fake.inFlight).toHaveLength(1);
    await t.first().finish(SHORT);
    expect(t.loop.mode).toBe("idle");
    expect(t.fake.started).toBe(2);
  });

  it("coalesces wakes: a hundred during a batch cost one claim", async () => {
    const t = await draining({ concurrency: 4 });
    for (let i = 0; i < 100; i++) t.loop.wake();
    expect(t.fake.inFlight).toHaveLength(1);
    await t.first().finish(SHORT);
    await t.first().finish(SHORT);
    expect(t.fake.started).toBe(2);
    expect(t.loop.mode).toBe("idle");
  });

  it("in backlog starts loops up to the concurrency and no more", async () => {
    const t = await backlog({ concurrency: 3 });
    for (let i = 0; i < 10; i++) t.loop.wake();
    await t.first().finish(FULL);
    await t.first().finish(FULL);
    expect(t.fake.inFlight).toHaveLength(3);
    // The wakes beyond the concurrency are not lost: the loops go round again after a short batch.
    for (let i = 0; i < 10; i++) t.loop.wake();
    await t.first().finish(SHORT);
    expect(t.fake.inFlight).toHaveLength(3);
  });

  it("starts a second loop beside a batch in flight for slowBatchMs, not before, and not past the concurrency", async () => {
    const t = await draining({ concurrency: 2, slowBatchMs: 200 });
    await t.timers.advance(199);
    t.loop.wake();
    expect(t.fake.inFlight).toHaveLength(1);
    await t.timers.advance(1);
    t.loop.wake();
    expect(t.fake.inFlight).toHaveLength(2);
    await t.timers.advance(500);
    t.loop.wake();
    expect(t.fake.inFlight).toHaveLength(2);
  });

  it("paused claims nothing until the pause is over, whatever wakes it", async () => {
    const t = await paused({ sweepEveryMs: 100 });
    t.loop.wake();
    await t.timers.advance(999);
    expect(t.fake.started).toBe(1);
    await t.timers.advance(1);
    expect(t.fake.started).toBe(2);
  });

  it("without pauseMs, the pause lasts until the next sweep tick", async () => {
    const t = await paused({ pauseMs: undefined, sweepEveryMs: 2_000 });
    await t.timers.advance(500);
    t.loop.wake();
    await t.timers.advance(1_499);
    expect(t.fake.started).toBe(1);
    expect(t.loop.mode).toBe("paused");
    await t.timers.advance(1);
    expect(t.loop.mode).toBe("draining");
    expect(t.fake.started).toBe(2);
  });

  it("refuses to be made without pauseMs or a sweep: its pause would never end", () => {
    expect(() => new DrainLoop({ step: async () => SHORT })).toThrow(/pauseMs/);
  });

  it("each sweep tick is a wake", async () => {
    const t = setup({ sweepEveryMs: 100 });
    t.loop.start();
    await t.timers.advance(100);
    await t.first().finish(SHORT);
    await t.timers.advance(100);
    expect(t.fake.started).toBe(2);
  });

  it("a caller's drainOnce gets its batch's error", async () => {
    const t = setup();
    const drained = t.loop.drainOnce();
    await t.first().fail(new Error("boom"));
    await expect(drained).rejects.toThrow("boom");
    expect(t.errors).toHaveLength(0);
  });

  it("stop waits for the batch in flight, and no step starts after it", async () => {
    const t = await draining({ sweepEveryMs: 100, concurrency: 2, slowBatchMs: 50 });
    let done = false;
    const stopped = t.loop.stop().then(() => {
      done = true;
    });
    await flush();
    expect(done).toBe(false);
    t.loop.wake();
    await t.timers.advance(1_000);
    await t.first().finish(MORE);
    await stopped;
    expect(done).toBe(true);
    expect(await t.loop.drainOnce()).toBe(0);
    expect(t.fake.started).toBe(1);
  });
});
