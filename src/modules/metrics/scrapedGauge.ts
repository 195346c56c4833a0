import client from 'prom-client';

/** A gauge whose values are read afresh at every scrape (reset, then set by `collect`). */
export function scrapedGauge(registry: client.Registry) {
  return (name: string, help: string, labelNames: readonly string[], collect: (g: client.Gauge<string>) => void) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
}
