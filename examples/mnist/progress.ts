// The per-epoch progress bar (cli-progress): samples/s, running loss, ETA.
import cliProgress from 'cli-progress';

/** A progress bar over one epoch's samples, or a no-op where there is no terminal. */
export interface Progress {
  update(samplesDone: number, runningLoss: number): void;
  stop(): void;
}

/**
 * Starts a bar for an epoch of `total` samples on stderr (stdout keeps the
 * per-epoch lines clean). Outside a terminal it draws nothing.
 */
export function startProgress(label: string, total: number): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} | {rate} samples/s | loss {loss} | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  bar.start(total, 0, { rate: '-', loss: '-' });
  return {
    update(done, loss) {
      const rate = done / ((performance.now() - start) / 1000);
      bar.update(done, { rate: rate.toFixed(0), loss: loss.toFixed(4) });
    },
    stop() {
      bar.stop();
    },
  };
}
