// Quantities as a person reads them: memory in GiB (MiB below 1 GiB), with the exact integer the
// core holds kept for a tooltip. The core's unit is the byte; the console never rounds what it sends.
import { num, num1 } from './num';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** 4831838208 → "4.5 GiB"; 1073741824 → "1 GiB"; 67108864 → "64 MiB"; 0 → "0 GiB". */
export function gib(bytes: number): string {
  if (bytes === 0) return '0 GiB';
  if (Math.abs(bytes) >= GIB || bytes % GIB === 0) return `${trim(bytes / GIB)} GiB`;
  if (Math.abs(bytes) >= MIB) return `${trim(bytes / MIB)} MiB`;
  return `${num(bytes)} B`;
}

/** The exact figure for a tooltip: "4,831,838,208 bytes". */
export function exactBytes(bytes: number): string {
  return `${num(bytes)} bytes`;
}

function trim(x: number): string {
  return num1(Math.round(x * 10) / 10);
}

export const cpu = (n: number) => `${num(n)} CPU ${n === 1 ? 'slice' : 'slices'}`;
export const qubits = (n: number) => `${num(n)} ${n === 1 ? 'qubit' : 'qubits'}`;
