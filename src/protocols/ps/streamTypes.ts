// Stream types and ids GB/T 28181-2016 Annex C puts in a program stream.

export type PsVideoCodec = 'h264' | 'h265';
export type PsAudioCodec = 'g711a' | 'g711u' | 'aac';

/** stream_type values of the program stream map (ISO/IEC 13818-1 Table 2-34; GB/T 28181 Annex C for G.711). */
export const PS_STREAM_TYPE = {
  h264: 0x1b,
  h265: 0x24,
  mpeg4: 0x10,
  g711a: 0x90,
  g711u: 0x91,
  aac: 0x0f,
} as const;

export const VIDEO_STREAM_ID = 0xe0;
export const AUDIO_STREAM_ID = 0xc0;

export const PACK_START = 0xba;
export const SYSTEM_HEADER_START = 0xbb;
export const PSM_START = 0xbc;
export const PROGRAM_END = 0xb9;

export function videoCodecOfStreamType(type: number): PsVideoCodec | undefined {
  if (type === PS_STREAM_TYPE.h264) return 'h264';
  if (type === PS_STREAM_TYPE.h265) return 'h265';
  return undefined;
}

export function audioCodecOfStreamType(type: number): PsAudioCodec | undefined {
  if (type === PS_STREAM_TYPE.g711a) return 'g711a';
  if (type === PS_STREAM_TYPE.g711u) return 'g711u';
  if (type === PS_STREAM_TYPE.aac) return 'aac';
  return undefined;
}

export const isVideoStreamId = (id: number): boolean => id >= 0xe0 && id <= 0xef;
export const isAudioStreamId = (id: number): boolean => id >= 0xc0 && id <= 0xdf;
