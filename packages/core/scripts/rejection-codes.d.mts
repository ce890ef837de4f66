// Types of the generator script, for the test that checks the committed table is fresh.
export const OUTPUT: string;
export function deriveRejectionCodes(): Map<string, string[]>;
export function render(codes: Map<string, string[]>): string;
