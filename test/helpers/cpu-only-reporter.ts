// A vitest reporter for `npm run test:gpu`: after the run, lists the tests
// skipped as CPU-only (test/helpers/device.ts cpuOnly) with their reasons.
import type { Reporter, TestModule } from 'vitest/node';

export default class CpuOnlyReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines = modules.flatMap((m) => [...m.children.allTests('skipped')].flatMap((t) => {
      const result = t.result();
      const note = result.state === 'skipped' ? result.note : undefined;
      return note?.startsWith('CPU-only') ? [`  ${m.moduleId.replace(`${process.cwd()}/`, '')} > ${t.fullName}\n      ${note}`] : [];
    }));
    process.stdout.write(`\n${lines.length} CPU-only tests skipped on the GPU:\n${lines.join('\n')}\n`);
  }
}
