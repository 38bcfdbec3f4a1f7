/** Run `fn` over `items` with at most `jobs` in flight; every item runs, failures are collected, not thrown. */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<{ results: (R | undefined)[]; errors: { item: T; error: unknown }[] }> {
  const results: (R | undefined)[] = new Array(items.length);
  const errors: { item: T; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        errors.push({ item: items[i]!, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return { results, errors };
}
