// Types of serve.mjs, the worker-side protocol of the bench (shared by the JS peers).
export type Workload = (variant: string) => () => void;
export interface MemMark {
  steps: number;
  rssMiB: number;
  activeMiB?: number;
}
export function serve(
  info: { name: string; version: string },
  workloads: Record<string, Workload>,
  options?: { memLoop?: (marks: number[]) => MemMark[] },
): void;
export const rssMiB: () => number;
export const jsHeapMiB: () => { heapMiB: number; youngMiB: number };
