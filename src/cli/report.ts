import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerReportInspection } from './reportInspection.js';
import { registerReportOnline } from './reportOnline.js';

/** `vcgw report …`: the sheets the section hands to the province (seed 003 Appendix C, F). */
export function registerReportCommand(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('reports for the province: online rate (Appendix F), inspection sheet (Appendix C)');
  registerReportOnline(report, ctx);
  registerReportInspection(report, ctx);
}
