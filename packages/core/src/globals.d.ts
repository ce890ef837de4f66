// The only host globals the core uses, declared here because it compiles without Node or DOM types
// (so it cannot reach for a clock, timers or I/O). Both exist in every browser and in Node.

/** Deep copy of plain JSON-like data (HTML structured clone). */
declare function structuredClone<T>(value: T): T;

interface ErrorConstructor {
  /** V8: how many frames a new Error captures; the core sets it to 0 while building rejections. */
  stackTraceLimit: number;
}
