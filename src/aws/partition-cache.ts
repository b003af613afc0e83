/**
 * One value per partition, built on first use. A load that fails is forgotten, so the next request tries
 * again instead of failing for the rest of the container's life.
 */
export function perPartition<T>(load: (partition: string) => Promise<T>): (partition: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (partition) => {
    let value = cache.get(partition);
    if (!value) {
      value = load(partition);
      cache.set(partition, value);
      value.catch(() => {
        if (cache.get(partition) === value) cache.delete(partition);
      });
    }
    return value;
  };
}
