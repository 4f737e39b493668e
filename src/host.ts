// What the code runs on: Node (the main thread or a worker_threads worker) or a
// browser (a page or a Web Worker). Node's modules are imported only when true.
export const isNode = (): boolean =>
  typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
