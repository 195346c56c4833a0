// What a PTZ request asks a camera to do, whoever asks (the province's PTZControl, `vcgw ptz`,
// later a GB/T 28181 upper platform); each driver turns it into its protocol's command.

export type PtzAction =
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'zoom-wide'
  | 'zoom-tele'
  | 'focus-near'
  | 'focus-far'
  | 'iris-close'
  | 'iris-open'
  | 'light-off'
  | 'light-on';
