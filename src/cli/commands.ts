import { registerCamerasCommand } from './cameras.js';
import type { RegisterCommand } from './context.js';
import { registerDemoCommand } from './demo.js';
import { registerDiscoverCommand } from './discover.js';
import { registerDoctorCommand } from './doctor.js';
import { registerLogsCommand } from './logs.js';
import { registerGbCommand } from './gb.js';
import { registerCascadeCommand } from './cascade.js';
import { registerOutboxCommand } from './outbox.js';
import { registerPtzCommand } from './ptz.js';
import { registerQualityCommand } from './quality.js';
import { registerReportCommand } from './report.js';
import { registerRunCommand } from './run.js';
import { registerSetupCommand } from './setup.js';
import { registerSimCommand } from './sim.js';
import { registerSnapshotCommands } from './snapshots.js';
import { registerStatusCommand } from './status.js';

/** Every top-level verb; one file per verb under src/cli/. */
export const COMMANDS: RegisterCommand[] = [
  registerRunCommand,
  registerDemoCommand,
  registerStatusCommand,
  registerLogsCommand,
  registerDoctorCommand,
  registerCamerasCommand,
  registerDiscoverCommand,
  registerOutboxCommand,
  registerPtzCommand,
  registerSnapshotCommands,
  registerQualityCommand,
  registerReportCommand,
  registerSetupCommand,
  registerGbCommand,
  registerCascadeCommand,
  registerSimCommand,
];
