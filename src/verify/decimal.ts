// How the gate's reports print Mbit/s and percentages: one decimal, and whole numbers without ".0".

export function decimal(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
