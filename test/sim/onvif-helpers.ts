// Shared fixtures of the ONVIF-sim tests (not a test file itself): the real `onvif` npm client
// (agsh/onvif, CommonJS, untyped) behind a small promise-based, typed facade.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { OnvifCamera } from '../../src/sim/onvif/index.js';

type Cb<T> = (err: Error | null, value: T, xml?: string) => void;

/** The part of agsh/onvif's Cam this project relies on; field names are as the library produces them. */
export interface OnvifCam {
  connect(cb: Cb<unknown>): void;
  getDeviceInformation(cb: Cb<{ manufacturer: string; model: string; firmwareVersion: string; serialNumber: string; hardwareId: string }>): void;
  getSystemDateAndTime(cb: Cb<Date>): void;
  setSystemDateAndTime(o: { dateTime?: Date; dateTimeType: 'Manual' | 'NTP'; daylightSavings?: boolean; timezone?: string }, cb: Cb<Date>): void;
  getProfiles(cb: Cb<OnvifClientProfile[]>): void;
  getStreamUri(o: { protocol?: string; profileToken?: string }, cb: Cb<{ uri: string }>): void;
  getSnapshotUri(o: { profileToken?: string }, cb: Cb<{ uri: string }>): void;
  getHostname(cb: Cb<{ fromDHCP: boolean; name: string }>): void;
  getVideoEncoderConfiguration(token: string, cb: Cb<OnvifClientEncoder>): void;
  getVideoEncoderConfigurations(cb: Cb<OnvifClientEncoder[]>): void;
  getVideoEncoderConfigurationOptions(o: { configurationToken?: string; profileToken?: string }, cb: Cb<Record<string, unknown>>): void;
  setVideoEncoderConfiguration(o: Record<string, unknown>, cb: Cb<unknown>): void;
  continuousMove(o: { profileToken?: string; x?: number; y?: number; zoom?: number; timeout?: number }, cb: Cb<unknown>): void;
  stop(o: { profileToken?: string; panTilt?: boolean; zoom?: boolean }, cb: Cb<unknown>): void;
  relativeMove(o: { profileToken?: string; x?: number; y?: number; zoom?: number }, cb: Cb<unknown>): void;
  absoluteMove(o: { profileToken?: string; x?: number; y?: number; zoom?: number }, cb: Cb<unknown>): void;
  getStatus(o: { profileToken?: string }, cb: Cb<{ position: { x: number; y: number; zoom: number }; moveStatus: unknown }>): void;
  getNodes(cb: Cb<Record<string, Record<string, unknown>>>): void;
  getConfigurations(cb: Cb<Record<string, { token: string; nodeToken: string; panTiltLimits?: unknown }>>): void;
  ptzSendAuxiliaryCommand(o: { profileToken?: string; data: string }, cb: Cb<unknown>): void;
  getImagingSettings(o: { token?: string }, cb: Cb<Record<string, unknown>>): void;
  setImagingSettings(o: Record<string, unknown>, cb: Cb<unknown>): void;
  imagingMove(o: { token?: string; continuous?: { speed: number }; relative?: { distance: number }; absolute?: { position: number } }, cb: Cb<unknown>): void;
  imagingStop(o: { token?: string }, cb: Cb<unknown>): void;
  activeSource?: { profileToken: string; sourceToken: string; ptz?: { name: string; token: string } };
  profiles?: OnvifClientProfile[];
  uri?: Record<string, unknown>;
  timeShift?: number;
}

export interface OnvifClientEncoder {
  $: { token: string };
  name: string;
  encoding: string;
  resolution: { width: number; height: number };
  quality: number;
  rateControl: { frameRateLimit: number; encodingInterval: number; bitrateLimit: number };
  H264: { govLength: number; H264Profile: string };
}

export interface OnvifClientProfile {
  $: { token: string };
  name: string;
  videoSourceConfiguration: { $: { token: string }; sourceToken: string };
  videoEncoderConfiguration: OnvifClientEncoder;
}

interface CamCtor {
  new (o: { hostname: string; port: number; username?: string; password?: string; timeout?: number; autoconnect?: boolean }, cb?: Cb<unknown>): OnvifCam;
}

const require = createRequire(import.meta.url);
const { Cam } = require('onvif') as { Cam: CamCtor };

/** Calls a callback-style Cam method and resolves with its value (method must be bound by caller). */
export function call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

/** Connects the real client; rejects with the library's own error. */
export function connectCam(cam: OnvifCamera, username: string, password: string): Promise<OnvifCam> {
  return new Promise((resolve, reject) => {
    const c: OnvifCam = new Cam({ hostname: cam.host, port: cam.port, username, password, timeout: 5000 }, (err) => (err ? reject(err) : resolve(c)));
  });
}

export { onvifSim as startSim } from '../helpers/onvif.js';

/** Like `call` but keeps the error and the raw response XML (the library hides some faults behind generic errors). */
export function callRaw<T>(fn: (cb: Cb<T>) => void): Promise<{ err: Error | null; value: T; xml: string }> {
  return new Promise((resolve) => fn((err, value, xml) => resolve({ err, value, xml: xml ?? '' })));
}

/** A hand-signed SOAP 1.2 request (UsernameToken PasswordDigest), for actions the client library cannot send. */
export async function rawSoap(url: string, bodyXml: string, user: string, password: string): Promise<{ status: number; xml: string }> {
  const nonce = crypto.randomBytes(16);
  const created = new Date().toISOString();
  const digest = crypto.createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64');
  const envelope =
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>' +
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">' +
    `<wsse:UsernameToken><wsse:Username>${user}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce>${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>` +
    `</s:Header><s:Body>${bodyXml}</s:Body></s:Envelope>`;
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' }, body: envelope });
  return { status: res.status, xml: await res.text() };
}
