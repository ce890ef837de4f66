import type { Right } from '@xdv/core';
import type { Gate } from '../../lib/caps';

/** The gate of one right on this VHM's page: allowed, or the reason it is not. */
export type GateFn = (right: Right | null) => Gate;
