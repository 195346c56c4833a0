// The simulator's hand-written XML reader and SOAP error paths over real HTTP.
import t from 'tap';
import { parseXml, toPlain } from '../../src/sim/onvif/xml.js';
import { posixTzOffsetMs } from '../../src/sim/onvif/index.js';
import { rawSoap, startSim } from './onvif-helpers.js';

t.test('parseXml resolves namespaces, decodes entities and rejects bad nesting', async (t) => {
  const el = parseXml('<?xml version="1.0"?><a:E xmlns:a="urn:a" xmlns="urn:d"><B x="1&amp;2">t&lt;u&#x41;<![CDATA[<raw>]]></B><a:C/><B/></a:E>');
  t.equal(el.name, 'E');
  t.equal(el.ns, 'urn:a');
  t.equal(el.children[0]?.ns, 'urn:d', 'default namespace');
  t.equal(el.children[0]?.text, 't<uA<raw>');
  t.same(toPlain(el), { B: [{ '@x': '1&2', '#text': 't<uA<raw>' }, ''], C: '' });
  t.throws(() => parseXml('<a><b></a></b>'), /mismatched/);
  t.throws(() => parseXml('<a>'), /incomplete/);
});

t.test('POSIX TZ strings count hours west of UTC', async (t) => {
  t.equal(posixTzOffsetMs('CST-8'), 8 * 3600_000);
  t.equal(posixTzOffsetMs('EST+5'), -5 * 3600_000);
  t.equal(posixTzOffsetMs('IST-5:30'), 5.5 * 3600_000);
  t.equal(posixTzOffsetMs('garbage'), 0);
});

t.test('malformed XML, an empty body and GET are refused without crashing the camera', async (t) => {
  const sim = await startSim(t);
  const bad = await fetch(sim.url, { method: 'POST', body: '<s:Envelope><s:Body>' });
  t.equal(bad.status, 400);
  t.match(await bad.text(), /ter:WellFormed/);
  const empty = await rawSoap(sim.url, '', 'admin', 'secret');
  t.equal(empty.status, 400);
  const get = await fetch(sim.url);
  t.equal(get.status, 405);
  const still = await rawSoap(sim.url, '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>', 'admin', 'secret');
  t.equal(still.status, 200);
  t.match(still.xml, /<tds:Manufacturer>SimCam<\/tds:Manufacturer>/);
});

t.test('SetSystemDateAndTime refuses a bad TZ with a fault and keeps the clock', async (t) => {
  const sim = await startSim(t);
  const r = await rawSoap(
    sim.url,
    '<SetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"><DateTimeType>Manual</DateTimeType><DaylightSavings>false</DaylightSavings>' +
      '<TimeZone><TZ xmlns="http://www.onvif.org/ver10/schema">8</TZ></TimeZone></SetSystemDateAndTime>',
    'admin',
    'secret',
  );
  t.equal(r.status, 400);
  t.match(r.xml, /ter:InvalidTimeZone/);
  t.equal(sim.timeZone, 'CST-8');
  t.equal(sim.clockOffsetMs, 0);
});
