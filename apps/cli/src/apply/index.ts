import { readFileSync } from 'node:fs';
import type { Api } from '../api.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { readCurrent } from './current.js';
import { parseDesired } from './desired.js';
import { computePlan } from './diff.js';
import { applyPlan, previewPlan, stepKeys } from './run.js';

/** `xdv diff` (apply: false) and `xdv apply`: read the file, plan, preview on the server, apply. */
export async function applyFile(
  api: Api,
  io: Io,
  file: string,
  opts: { prune: boolean; apply: boolean },
): Promise<void> {
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  const desired = parseDesired(text, file);
  const cur = await readCurrent(api);
  const steps = computePlan(desired, cur, opts);
  const preview = await previewPlan(api, io, steps);
  if (!preview || !opts.apply) return;
  await applyPlan(api, io, steps, stepKeys(text, steps));
}
