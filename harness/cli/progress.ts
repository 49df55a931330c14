/**
 * The live progress of a sweep. On a terminal: a block redrawn in place, with per-test pass/fail
 * counts and a bar with ETA, and each test's first failure printed above it as it happens. Otherwise
 * plain lines: one per run for small sweeps, one per 5 % for large ones, and every first failure.
 */
import type { RunOutcome } from "../run/outcome";
import { isPassed } from "../run/outcome";

interface Progress {
  started(id: string): void;
  finished(outcome: RunOutcome): void;
  /** Prints a line above the live display (warnings). */
  note(line: string): void;
  done(): void;
}

interface Counts {
  passed: number;
  failed: number;
  running: number;
}

const PLAIN_EACH_RUN_UP_TO = 200;

export function createProgress(out: NodeJS.WriteStream, total: number, label: string): Progress {
  return out.isTTY ? new TtyProgress(out, total, label) : new PlainProgress(out, total, label);
}

abstract class BaseProgress implements Progress {
  protected readonly counts = new Map<string, Counts>();
  protected doneRuns = 0;
  protected failedRuns = 0;
  protected readonly t0 = Date.now();

  constructor(
    protected readonly out: NodeJS.WritableStream,
    protected readonly total: number,
    protected readonly label: string,
  ) {}

  protected countsOf(id: string): Counts {
    let c = this.counts.get(id);
    if (!c) this.counts.set(id, (c = { passed: 0, failed: 0, running: 0 }));
    return c;
  }

  started(id: string): void {
    this.countsOf(id).running++;
  }

  finished(o: RunOutcome): void {
    const c = this.countsOf(o.id);
    c.running = Math.max(0, c.running - 1);
    this.doneRuns++;
    const first = !isPassed(o) && c.failed === 0;
    if (isPassed(o)) c.passed++;
    else {
      c.failed++;
      this.failedRuns++;
    }
    this.show(o, first);
  }

  protected abstract show(o: RunOutcome, firstFailure: boolean): void;
  abstract note(line: string): void;
  abstract done(): void;

  protected eta(): string {
    if (this.doneRuns === 0) return "ETA –";
    const elapsed = Date.now() - this.t0;
    return `ETA ${clock((elapsed / this.doneRuns) * (this.total - this.doneRuns))}`;
  }
}

/** A test's first failure in full (a load error's stack included, up to a screenful); later ones in one line. */
function describeFailure(o: RunOutcome): string {
  const lines = (o.message ?? "failed").split("\n");
  const shown =
    lines.slice(0, 15).join("\n    ") +
    (lines.length > 15 ? `\n    [… ${lines.length - 15} more lines in results.json]` : "");
  const head = `✗ ${o.id} seed ${o.seed}: ${shown}`;
  return o.replay ? `${head}\n    replay: ${o.replay}` : head;
}

class PlainProgress extends BaseProgress {
  private lastStep = 0;

  constructor(out: NodeJS.WritableStream, total: number, label: string) {
    super(out, total, label);
    this.out.write(`${label}: ${total} run${total === 1 ? "" : "s"}\n`);
  }

  protected show(o: RunOutcome, firstFailure: boolean): void {
    const at = `[${this.doneRuns}/${this.total}]`;
    if (this.total <= PLAIN_EACH_RUN_UP_TO) {
      const line = isPassed(o)
        ? `${at} ✓ ${o.id} seed ${o.seed} (${(o.virtualMs / 1000).toFixed(1)} s virtual, ${o.realMs.toFixed(0)} ms real)${o.status === "passed-with-warning" ? " with a warning" : ""}`
        : `${at} ${firstFailure ? describeFailure(o) : `✗ ${o.id} seed ${o.seed}: ${(o.message ?? "failed").split("\n")[0]}`}`;
      this.out.write(line + "\n");
      return;
    }
    if (firstFailure) this.out.write(`${at} ${describeFailure(o)}\n`);
    const step = Math.floor((this.doneRuns / this.total) * 20);
    if (step > this.lastStep) {
      this.lastStep = step;
      this.out.write(
        `${at} ${Math.round((this.doneRuns / this.total) * 100)}% done, ${this.failedRuns} failed, ${this.eta()}\n`,
      );
    }
  }

  note(line: string): void {
    this.out.write(line + "\n");
  }

  done(): void {}
}

class TtyProgress extends BaseProgress {
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly order: string[] = [];

  constructor(
    private readonly tty: NodeJS.WriteStream,
    total: number,
    label: string,
  ) {
    super(tty, total, label);
    this.tty.write(`${label}: ${total} run${total === 1 ? "" : "s"}\n`);
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
    this.draw();
  }

  override started(id: string): void {
    super.started(id);
    if (!this.order.includes(id)) this.order.push(id);
    this.schedule();
  }

  protected show(o: RunOutcome, firstFailure: boolean): void {
    if (firstFailure) this.note(describeFailure(o));
    else this.schedule();
  }

  note(line: string): void {
    this.clear();
    this.tty.write(line + "\n");
    this.draw();
  }

  done(): void {
    clearInterval(this.timer);
    this.draw();
  }

  private pending = false;
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      this.draw();
    }, 50).unref();
  }

  private clear(): void {
    if (this.drawn > 0) this.tty.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const width = Math.max(40, (this.tty.columns || 80) - 1);
    const room = Math.max(1, (this.tty.rows || 24) - 3);
    const ids = this.order.slice(-room);
    const idWidth = Math.min(48, Math.max(8, ...ids.map((id) => id.length)));
    const lines = ids.map((id) => {
      const c = this.countsOf(id);
      const state = c.running > 0 ? "…" : c.failed > 0 ? "✗" : "✓";
      return `${state} ${id.padEnd(idWidth).slice(0, idWidth)}  ✓ ${String(c.passed).padStart(4)}  ✗ ${String(c.failed).padStart(4)}`.slice(
        0,
        width,
      );
    });
    const fraction = this.total ? this.doneRuns / this.total : 1;
    const summary = ` ${this.doneRuns}/${this.total} ${Math.round(fraction * 100)}% · ${this.failedRuns} failed · ${this.eta()}`;
    const barWidth = Math.max(10, Math.min(40, width - summary.length - 2));
    const filled = Math.round(fraction * barWidth);
    lines.push(`[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}]${summary}`.slice(0, width));
    this.clear();
    this.tty.write(lines.join("\n") + "\n");
    this.drawn = lines.length;
  }
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
