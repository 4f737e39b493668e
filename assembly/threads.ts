// Entry of the `threads` build: the whole kernel ABI plus the threaded step,
// over a shared memory. The single-thread builds do not include ./parallel
// (atomics need the threads feature).
export * from './index';
export * from './parallel';
