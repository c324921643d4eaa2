// Preloaded into a service node by the load benchmark (with --expose-gc): SIGUSR2 runs a full garbage
// collection, so that the memory read right after is what the node keeps, not what it has yet to collect.
process.on('SIGUSR2', () => globalThis.gc?.());
