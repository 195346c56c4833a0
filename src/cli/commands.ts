import type { Command } from 'commander';
import type { CliContext } from './context.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every top-level verb; one file per verb under src/cli/. */
export const COMMANDS: RegisterCommand[] = [];
