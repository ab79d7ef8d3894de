// What every worker uses to hand results to the test: one JSON line per result.
export function report(name: string, value: unknown): void {
  process.stdout.write(`RESULT ${JSON.stringify({ name, value })}\n`);
}
